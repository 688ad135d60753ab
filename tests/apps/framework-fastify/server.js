// Fastify: an async route that counts, and a route that answers through reply.send.
const fastify = require('fastify')();

let hits = 0;

fastify.get('/', async function home(request, reply) {
  hits += 1;
  return `hits ${hits}\n`;
});

fastify.get('/direct', function direct(request, reply) {
  reply.send('direct\n');
});

fastify.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });

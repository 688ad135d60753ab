// Fastify: an async route that counts, a route that answers through reply.send, and one declared
// with fastify.route and an options object.
const fastify = require('fastify')();

let hits = 0;

fastify.get('/', async function home(request, reply) {
  hits += 1;
  return `hits ${hits}\n`;
});

fastify.get('/direct', function direct(request, reply) {
  reply.send('direct\n');
});

fastify.route({
  method: 'GET',
  url: '/routed',
  async handler(request, reply) {
    reply.header('x-routed', 'yes');
    return 'routed\n';
  },
});

fastify.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });

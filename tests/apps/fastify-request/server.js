// Fastify 5: hooks that write the request for the route handler. `measure` (onRequest, with
// done) writes request.size directly; `stamp` (async preHandler) after an awaited call; the
// handler `show` reads both and answers.
const fastify = require('fastify')();
const fs = require('fs/promises');

async function lookup(path) {
  const stat = await fs.stat(__filename);
  return path.length + ':' + stat.isFile();
}

fastify.addHook('onRequest', function measure(request, reply, done) {
  request.size = request.url.length;
  done();
});

fastify.addHook('preHandler', async function stamp(request, reply) {
  const found = await lookup(request.url);
  request.stamp = found;
});

fastify.get('/size/:name', async function show(request, reply) {
  return `size: ${request.size} stamp: ${request.stamp}\n`;
});

fastify.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });

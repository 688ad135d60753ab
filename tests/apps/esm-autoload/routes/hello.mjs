export default async function routes(fastify) {
  fastify.get('/hello', async function hello(request, reply) {
    return 'hello\n';
  });
}

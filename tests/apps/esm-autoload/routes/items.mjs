// Two routes that share a module variable: addItem writes it, listItems reads it.
const items = [];

export default async function routes(fastify) {
  fastify.post('/add', async function addItem(request, reply) {
    items.push(`item${items.length + 1}`);
    return { added: items.length };
  });

  fastify.get('/list', async function listItems(request, reply) {
    return { items };
  });
}

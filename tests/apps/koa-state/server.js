// Koa 2 with @koa/router: middleware that write ctx.state for the next ones. `measure` writes
// ctx.state.size directly, `stamp` after an awaited call; `show` reads both and answers, and
// `measure` reads ctx.state.size again after `await next()` for a header.
const Koa = require('koa');
const Router = require('@koa/router');
const fs = require('fs/promises');

const app = new Koa();
const router = new Router();

async function lookup(path) {
  const stat = await fs.stat(__filename);
  return path.length + ':' + stat.isFile();
}

app.use(async function measure(ctx, next) {
  ctx.state.size = ctx.path.length;
  await next();
  ctx.set('x-size', String(ctx.state.size));
});

app.use(async function stamp(ctx, next) {
  const found = await lookup(ctx.path);
  ctx.state.stamp = found;
  await next();
});

router.get('/size/:name', async function show(ctx) {
  ctx.body = `size: ${ctx.state.size} stamp: ${ctx.state.stamp}\n`;
});

app.use(router.routes());
app.listen(Number(process.env.PORT || 0), '127.0.0.1');

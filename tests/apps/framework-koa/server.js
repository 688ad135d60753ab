// Koa with @koa/router: a timing middleware, a counter route and a route that reads a file.
const Koa = require('koa');
const Router = require('@koa/router');
const fs = require('fs');
const routes = require('./routes');

const app = new Koa();
const router = new Router();
let hits = 0;

app.use(async function timing(ctx, next) {
  const started = Date.now();
  await next();
  ctx.set('x-elapsed', String(Date.now() - started));
});

router.get('/', async function home(ctx) {
  hits += 1;
  ctx.body = `hits ${hits}\n`;
});

router.get('/file', async function file(ctx) {
  const text = await fs.promises.readFile(__filename, 'utf8');
  ctx.body = `${text.length} chars\n`;
});

router.get('/about', routes.about);
router.get('/visits', routes.visits.show.bind(routes.visits));

app.use(router.routes());
app.listen(Number(process.env.PORT || 0), '127.0.0.1');

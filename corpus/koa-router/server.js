// Koa 2 with @koa/router and koa-bodyparser: async middleware that numbers the requests in
// ctx.state, a notes API, and a route that awaits a file.
const Koa = require('koa');
const Router = require('@koa/router');
const bodyParser = require('koa-bodyparser');
const fs = require('fs/promises');
const path = require('path');

const app = new Koa();
const router = new Router();
const notes = [];
let requests = 0;

app.use(async function numbering(ctx, next) {
  requests += 1;
  ctx.state.number = requests;
  await next();
  ctx.set('X-Request-Number', String(ctx.state.number));
});

app.use(bodyParser());

router.get('/notes', async function listNotes(ctx) {
  ctx.body = { notes: notes, requests: requests };
});

router.post('/notes', async function addNote(ctx) {
  const text = ctx.request.body && ctx.request.body.text;
  if (!text) ctx.throw(400, 'text required');
  notes.push({ id: notes.length + 1, text: text, request: ctx.state.number });
  ctx.status = 201;
  ctx.body = notes[notes.length - 1];
});

router.get('/about', async function about(ctx) {
  const pkg = JSON.parse(await fs.readFile(path.join(__dirname, 'package.json'), 'utf8'));
  ctx.body = pkg.name + ' ' + pkg.version + '\n';
});

app.use(router.routes());
app.use(router.allowedMethods());

app.listen(process.env.PORT || 3000);

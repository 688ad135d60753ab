// Koa middleware made by a factory (`app.use(stamp('x-app'))`: a call's result, not a function
// written in place) and dispatched by koa-compose, instrumented or not (`--include
// koa-compose`): a start point of main either way, and its continuation a post point of it.
const Koa = require('koa');
const fs = require('fs');

function stamp(header) {
  return function stamper(ctx, next) {
    ctx.set(header, 'yes');
    return new Promise((resolve) => {
      fs.stat(__filename, function statted(err, stat) {
        ctx.set('x-size', String(err ? -1 : stat.size));
        resolve(next());
      });
    });
  };
}

const app = new Koa();
app.use(stamp('x-app'));
app.use(function reply(ctx) {
  ctx.body = 'stamped\n';
});
app.listen(Number(process.env.PORT || 0), '127.0.0.1');

// json-server 0.17 used as a module, as its README shows: Express 4, lowdb 1 and lodash-id under
// the hood, its default middlewares (static files, CORS, no-cache), its body parser, and a
// middleware of the app that stamps created resources before the router stores them.
const jsonServer = require('json-server');
const data = require('./db.js');

const server = jsonServer.create();
const router = jsonServer.router(data());
const middlewares = jsonServer.defaults({ logger: false });

server.use(middlewares);
server.use(jsonServer.bodyParser);
server.use(function stampCreated(req, res, next) {
  if (req.method === 'POST') {
    req.body.createdBy = 'corpus';
  }
  next();
});
server.use(router);

server.listen(process.env.PORT || 3000, function started() {
  console.log('JSON Server is running');
});

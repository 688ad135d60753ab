// Express 4 with ejs views and the morgan logger: a visit counter in the style of the paper's
// listing 1, a res.locals middleware, an error passed to next(err), and a 404 page.
var express = require('express');
var morgan = require('morgan');
var fs = require('fs');
var path = require('path');

var app = express();
var visits = 0;
var quotes = [];

app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'ejs');
app.use(morgan(':method :url :status'));

app.use(function loadUser(req, res, next) {
  res.locals.user = req.query.user || 'guest';
  next();
});

app.get('/', function home(req, res) {
  fs.readFile(path.join(__dirname, 'quotes.txt'), 'utf8', function render(err, text) {
    if (err) return res.status(500).send('no quotes');
    visits += 1;
    quotes = text.trim().split('\n');
    res.render('index', { visits: visits, quote: quotes[visits % quotes.length] });
  });
});

app.get('/visits', function showVisits(req, res) {
  res.json({ visits: visits });
});

app.get('/boom', function boom(req, res, next) {
  next(new Error('boom'));
});

app.use(function notFound(req, res) {
  res.status(404).render('404', { url: req.url });
});

app.use(function onError(err, req, res, next) {
  res.status(500).send('error: ' + err.message + '\n');
});

app.listen(process.env.PORT || 3000);

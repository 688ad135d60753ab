// Express 5 with pug views: a guestbook object whose methods are mounted with bind, entries
// loaded through a promise chain, and the server started once the first load resolves.
'use strict';
const express = require('express');
const fs = require('fs/promises');
const path = require('path');

class Guestbook {
  constructor(file) {
    this.file = file;
    this.entries = [];
  }

  load() {
    return fs.readFile(this.file, 'utf8')
      .then(function parse(text) {
        return text.trim().split('\n');
      })
      .then((lines) => {
        this.entries = lines.map((line, i) => ({ n: i + 1, text: line }));
        return this.entries;
      });
  }

  list(req, res) {
    res.render('list', { entries: this.entries });
  }

  sign(req, res) {
    this.entries.push({ n: this.entries.length + 1, text: String(req.query.text || 'anonymous') });
    res.redirect(303, '/');
  }
}

const app = express();
app.set('views', path.join(__dirname, 'views'));
app.set('view engine', 'pug');
const book = new Guestbook(path.join(__dirname, 'entries.txt'));

app.get('/', book.list.bind(book));
app.post('/sign', book.sign.bind(book));
app.get('/reload', function reload(req, res, next) {
  book.load().then(function loaded(entries) {
    res.json({ count: entries.length });
  }, next);
});

book.load().then(function ready() {
  app.listen(process.env.PORT || 3000);
});

// Express 5 as an ES module: import syntax, top-level await for a file read at start-up, and a
// counter written by one route and read by another.
import express from 'express';
import { readFile } from 'node:fs/promises';

const app = express();
const motd = (await readFile(new URL('./motd.txt', import.meta.url), 'utf8')).trim();
let likes = 0;

app.get('/', (req, res) => {
  res.type('text').send(motd + '\n');
});

app.post('/like', function like(req, res) {
  likes += 1;
  res.json({ likes });
});

app.get('/likes', function showLikes(req, res) {
  res.json({ likes });
});

app.listen(process.env.PORT || 3000);

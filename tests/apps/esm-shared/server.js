// An Express 5 app of ES modules: lib/store.mjs exports `items`; routes/add.mjs adds to it and
// routes/list.mjs reads it, each through its own import. One variable, two handlers: share.
// routes/limit.mjs changes the limit (exported as `limit` and as `maxItems`) that add.mjs reads.
// routes/count.mjs reads the list through a namespace import and through a re-export.
import express from 'express';
import { writeFileSync } from 'node:fs';
import { addItem } from './routes/add.mjs';
import { listItems } from './routes/list.mjs';
import { changeLimit } from './routes/limit.mjs';
import { countItems } from './routes/count.mjs';

const app = express();
app.post('/add', addItem);
app.get('/list', listItems);
app.post('/limit', changeLimit);
app.get('/count', countItems);

const server = app.listen(process.env.PORT || 0, '127.0.0.1', () => {
  if (process.env.APP_PORT_FILE) {
    // The untraced run says its port like the shim does (JITFLUX_PORT_FILE).
    writeFileSync(process.env.APP_PORT_FILE, String(server.address().port));
  }
});

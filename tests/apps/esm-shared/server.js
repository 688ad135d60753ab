// An Express 5 app of ES modules: lib/store.mjs exports `items`; routes/add.mjs adds to it and
// routes/list.mjs reads it, each through its own import. One variable, two handlers: share.
import express from 'express';
import { writeFileSync } from 'node:fs';
import { addItem } from './routes/add.mjs';
import { listItems } from './routes/list.mjs';

const app = express();
app.post('/add', addItem);
app.get('/list', listItems);

const server = app.listen(process.env.PORT || 0, '127.0.0.1', () => {
  if (process.env.APP_PORT_FILE) {
    // The untraced run says its port like the shim does (JITFLUX_PORT_FILE).
    writeFileSync(process.env.APP_PORT_FILE, String(server.address().port));
  }
});

import * as store from '../lib/store.mjs';
import { items } from '../lib/index.mjs';

// The list through a namespace import, and through a re-export.
export function countItems(req, res) {
  res.json({ count: store.items.length, first: items[0] });
}

import { items } from '../lib/store.mjs';

export function listItems(req, res) {
  res.json({ items });
}

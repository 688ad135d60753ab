import { items, maxItems } from '../lib/store.mjs';

export function addItem(req, res) {
  if (items.length < maxItems) items.push(`item${items.length + 1}`);
  res.json({ added: items.length });
}

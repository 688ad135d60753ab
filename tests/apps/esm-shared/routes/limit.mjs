import { setLimit } from '../lib/store.mjs';

export function changeLimit(req, res) {
  setLimit(Number(req.query.n));
  res.json({ limit: Number(req.query.n) });
}

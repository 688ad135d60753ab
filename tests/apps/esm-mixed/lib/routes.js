// A router module: its top level registers the routes, then exports the router.
import express from 'express';

const router = express.Router();
const seen = [];

router.get('/seen', function listSeen(req, res) {
  res.json(seen);
});

router.post('/seen', function addSeen(req, res) {
  seen.push(seen.length);
  res.json({ size: seen.length });
});

export default router;

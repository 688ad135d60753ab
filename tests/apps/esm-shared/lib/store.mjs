// One list of items, exported: the routes import it, one adds to it, one reads it. Its limit is
// exported under two names; setLimit, exported too, changes it.
export const items = [];
let limit = 100;
export { limit, limit as maxItems };

export function setLimit(n) {
  limit = n;
}

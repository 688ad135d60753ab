// One list of items, exported: the routes import it, one adds to it, one reads it.
export const items = [];
const limit = 100;
export { limit, limit as maxItems };

// An ES module imported by a CommonJS one, on a request.
const loadedAt = import.meta.url.endsWith('/lib/late.mjs') ? 'lib/late.mjs' : '?';

export function describe() {
  return `late from ${loadedAt}`;
}

// The store's names again, re-exported (not followed by jitflux: see README's Limits).
export * from './store.mjs';

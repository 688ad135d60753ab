// A CommonJS Fastify app whose own files never load an ES module: its routes are ES modules
// (routes/*.mjs) that @fastify/autoload, a package, loads dynamically. (Its text must not hold
// the words of a dynamic import: the shim would then register the hooks for it.)
const path = require('path');
const fastify = require('fastify')();
const AutoLoad = require('@fastify/autoload');

fastify.register(AutoLoad, { dir: path.join(__dirname, 'routes') });

fastify.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });

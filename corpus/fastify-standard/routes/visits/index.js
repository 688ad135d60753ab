'use strict'

// Added to the scaffold: a counter kept by the route's module, and the support decorator.
let visits = 0

module.exports = async function (fastify, opts) {
  fastify.get('/', async function (request, reply) {
    visits++
    reply.header('x-visits', String(visits))
    return { visits, support: fastify.someSupport() }
  })
}

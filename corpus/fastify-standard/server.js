'use strict'

// What `fastify start app.js` does, without fastify-cli: build the server, register the
// scaffolded app, listen on $PORT.
const fastify = require('fastify')({ logger: false })
fastify.register(require('./app'))
fastify.listen({ port: Number(process.env.PORT || 3000), host: '127.0.0.1' }, function (err) {
  if (err) {
    console.error(err)
    process.exit(1)
  }
})

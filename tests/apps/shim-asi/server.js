// Written without semicolons (standard style): every statement of a handler that calls a free
// function or a method of a free variable must stay a statement of its own once instrumented.
const http = require('http')

const list = []
let count = 0

function add (x) {
  return Number(x.slice(1)) + 1
}

function remember (item) {
  if (list.includes(item)) throw new Error('duplicate')
  list.push(item)
}

const server = http.createServer((req, res) => {
  const n = add(req.url)
  count++
  ;[n].forEach(() => {})
  try {
    remember(req.url)
  } catch (e) {
    res.statusCode = 409
  }
  res.end(`${n} ${count} ${list.join(',')}\n`)
})
server.listen(Number(process.env.PORT || 0), '127.0.0.1')

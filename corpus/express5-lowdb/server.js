// Express 5 and body-parser over a lowdb 1 in-memory database with lodash-id, written in
// standard style (no semicolons): a todo API, and an async route that awaits a file.
'use strict'

const express = require('express')
const bodyParser = require('body-parser')
const low = require('lowdb')
const Memory = require('lowdb/adapters/Memory')
const lodashId = require('lodash-id')
const fs = require('fs')
const path = require('path')

const db = low(new Memory())
db._.mixin(lodashId)
let nextId = 1
// Ids from a counter rather than lodash-id's random ones, so that answers can be compared.
db._.mixin({ createId: () => String(nextId++) })
db.defaults({ todos: [] }).write()

let created = 0
const app = express()
app.use(bodyParser.json())

app.get('/todos', function listTodos (req, res) {
  res.json(db.get('todos').value())
})

app.post('/todos', function createTodo (req, res) {
  const title = String((req.body && req.body.title) || '').trim()
  if (!title) return res.status(400).json({ error: 'title required' })
  if (db.get('todos').find({ title }).value()) return res.status(409).json({ error: 'duplicate' })
  const todo = db.get('todos').insert({ title, done: false }).write()
  created++
  res.status(201).json(todo)
})

app.get('/todos/:id', function showTodo (req, res) {
  const todo = db.get('todos').getById(req.params.id).value()
  if (!todo) return res.status(404).json({ error: 'not found' })
  res.json(todo)
})

app.get('/stats', async function stats (req, res) {
  const pkg = JSON.parse(await fs.promises.readFile(path.join(__dirname, 'package.json'), 'utf8'))
  res.json({ name: pkg.name, created, todos: db.get('todos').size().value() })
})

app.listen(process.env.PORT || 3000)

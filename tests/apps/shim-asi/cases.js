// Statements of every kind written without semicolons, each after a line that has none, in the
// positions where instrumentation inserts code: calls of free functions and parameters, method
// calls on free variables and `this`, writes of free variables (`n++`) before a line starting
// with `(`, `[` or a template. Prints what each case left behind: traced it must be the same.
'use strict'
const out = []
const list = []
let n = 0
let swapA = 1
let swapB = 2
function note (x) { out.push(x) }
function twice (f) { return f() + f() }

function expressionStatements (cb) {
  let local = 0
  note('call')
  list.push('member')
  cb('param')
  n++
  ;[swapA, swapB] = [swapB, swapA]
  n++
  (function () { note('iife') })()
  n--
  `${note('template')}`
  local = n
  +note('unary plus')
  -list.push('unary minus')
  !note('not') && list.push('after not')
  void list.push('void')
  typeof note('typeof')
  local++
  note(`local ${local}`)
  return list.length
}

function throwsAfter (item) {
  if (list.includes(item)) throw new Error('duplicate ' + item)
  list.push(item)
}

function returnsAfter (x) {
  if (x) return list.push('early')
  list.push('late')
  return note('returned')
}

function bodies (k) {
  for (let i = 0; i < k; i++) list.push('for ' + i)
  note('after for')
  for (const x of ['a', 'b']) list.push('of ' + x)
  note('after for of')
  for (const key in { p: 1 }) note('in ' + key)
  list.push('after for in')
  let i = 0
  while (i < 2) i++
  note('after while ' + i)
  do list.push('do')
  while (false)
  note('after do')
  if (k > 1) note('then')
  else note('else')
  list.push('after if')
  if (k > 5) note('never')
  else list.push('else member')
  note('after else')
  outer: for (const a of [1, 2]) {
    for (const b of [1, 2]) {
      if (b === 2) continue outer
      note(`label ${a}${b}`)
    }
  }
  labelled: note('labelled')
  list.push('after label')
  block: {
    note('in block')
    break block
  }
  note('after block')
  switch (k) {
    case 2:
      note('case 2')
      list.push('case member')
    case 3:
      n++
      [swapA] = [swapA + 10]
      break
    default:
      note('default')
  }
  note('after switch')
}

const arrow = (x) => list.push('arrow ' + x)
const arrowCall = (x) => note('arrow call ' + x)

function makeClass () {
  return class Box {
    static made = note('static field')
    items = list.push('field')
    count = n++
    ['computed'] = 'c'
    #secret = note('private field')
    static {
      note('static block')
      list.push('static block member')
    }

    constructor (x) {
      this.x = x
      this.show()
      note('constructor done')
    }

    show () {
      note('show ' + this.x)
      this.tag()
      return this
    }

    tag () { list.push('tag ' + this.x) }

    get size () {
      note('getter')
      return list.length
    }
  }
}

function * gen () {
  note('gen start')
  yield list.push('yielded')
  note('gen end')
}

async function later (v) {
  note('async ' + v)
  await null
  list.push('after await')
  const r = await Promise.resolve(v)
  note('resolved ' + r)
  return r
}

async function main () {
  note(expressionStatements((x) => note(x)))
  throwsAfter('x')
  try {
    throwsAfter('x')
  } catch (e) {
    note(e.message)
  }
  returnsAfter(true)
  returnsAfter(false)
  bodies(2)
  arrow(1)
  arrowCall(2)
  note(twice(() => list.push('twice')))
  const Box = makeClass()
  const box = new Box('b')
  note(box.size)
  note(box.computed)
  for (const v of gen()) note('got ' + v)
  note(await later(7))
  note(`n=${n} swap=${swapA},${swapB}`)
  console.log(JSON.stringify({ out, list }, null, 1))
}

main()

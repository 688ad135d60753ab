#!/usr/bin/env node
'use strict';
// Modern syntax in handlers and callbacks: classes with fields and #private members, optional
// chaining, nullish coalescing, logical assignment, async arrows, generators and for await.
const express = require('express');

class Counter {
  #count = 0;
  static made = 0;
  label = 'hits';
  bump = (by) => {
    this.#count += by ?? 1;
    return this.#count;
  };

  constructor(name) {
    Counter.made += 1;
    this.name = name;
  }

  get value() {
    return this.#count;
  }

  static {
    Counter.kind = 'counter';
  }

  *steps(n) {
    for (let i = 0; i < n; i++) yield i;
  }
}

const counter = new Counter('main');
const settings = { greeting: null, nested: { depth: 2 } };
const app = express();

const wait = (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms));
async function* ticks(n) {
  for (let i = 0; i < n; i++) yield await wait(1);
}

app.get('/class', (req, res) => res.send(`${counter.bump(2)} ${counter.value} ${counter.label}\n`));

app.get('/optional', (req, res) => {
  settings.greeting ||= 'hello';
  settings.missing ??= 'default';
  const depth = settings.nested?.depth ?? 0;
  const none = settings.absent?.deep?.deeper;
  res.send(`${settings.greeting} ${settings.missing} ${depth} ${none}\n`);
});

app.get('/async', async (req, res) => {
  const a = await wait(1);
  let b;
  try {
    await Promise.reject(new Error('no'));
  } catch (err) {
    b = err.message;
  } finally {
    b += '!';
  }
  res.send(`${a} ${b} ${[...counter.steps(3)].join('')}\n`);
});

app.get('/stream', async (req, res) => {
  let total = 0;
  for await (const t of ticks(3)) total += t;
  res.send(`${total} ${Counter.made} ${Counter.kind}\n`);
});

app.get('/arrow', (req, res) => wait(1).then((ms) => res.send(`${ms} ${[1, 2, 3].map((x) => x * x).join(',')}\n`)));

app.post('/echo', async function echo(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  res.send(`echo ${body}\n`);
});

app.get('/strict', function strictRoute(req, res) {
  // `this` of a plain call is undefined only in strict code: the directive must still be first.
  res.send(String((function () { return this === undefined; })()) + '\n');
});

app.listen(process.env.PORT || 0);

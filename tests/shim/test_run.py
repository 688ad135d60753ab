"""The JavaScript side of `jitflux run` (node_shim/run/): what the rewrite moves or refuses and
why, the message codec, and the Piscina transport replacing a dead worker."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.conftest import NODE_SHIM

RUN = NODE_SHIM / "run"

LISTING_3 = """var getRawBody = require('raw-body');
function bodyParser(limit) {
  return function saveBody(req, res, next) {
    getRawBody(req, { limit: limit }, function (err, buffer) {
      req.body = buffer;
      next();
    });
  };
}
"""


def _node(script: str) -> Any:
    result = subprocess.run(
        ["node", "-e", script, str(RUN)], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(result.stdout)


def _plans(source: str, line: int, column: int, continuations: list[Any] | None = None) -> Any:
    target = {"id": 0, "line": line, "column": column, "continuations": continuations or []}
    script = (
        "const { rewrite } = require(process.argv[1] + '/rewrite.js');"
        f"const r = rewrite({json.dumps(source)}, [{json.dumps(target)}]);"
        "console.log(JSON.stringify({ plans: r.plans, code: r.code }));"
    )
    return _node(script)


def test_listing_3_callback_is_planned_with_roles() -> None:
    """The getRawBody callback: buffer travels as a value, err is only carried, req is written
    into (the dispatcher's merge), next is called; the main side keeps a shell."""
    out = _plans(LISTING_3, 4, 38)
    (plan,) = out["plans"]
    worker = plan["worker"]
    assert worker["params"] == ["carry", "value"]
    assert worker["context"] == []
    assert worker["stream"] == [
        {"name": "req", "role": "write", "written": False},
        {"name": "next", "role": "call", "written": False},
    ]
    assert worker["src"].startswith("function (err, buffer) {")
    assert "__jfxRun.call(0, this, arguments, function (err, buffer) {" in out["code"]
    assert 'function () { return { "req": req, "next": next }; }' in out["code"]


def test_continuation_becomes_a_stub_in_the_worker() -> None:
    """A continuation kept on main is a stub in the worker's source and a case of the shell,
    which declares the locals it reads and takes them from the message."""
    source = (
        "var fs = require('fs');\n"
        "function handler(req, res) {\n"
        "  var name = req.query.name;\n"
        "  fs.readFile(__filename, function reply(err, data) { res.send(name + data); });\n"
        "}\n"
    )
    out = _plans(source, 2, 0, [{"line": 4, "column": 26}])
    worker = out["plans"][0]["worker"]
    assert worker["params"] == ["value", "carry"]
    assert worker["context"] == [{"name": "fs", "role": "value", "written": False}]
    assert (
        'fs.readFile(__filename, __jfxK(0, function () { return { "res": res, "name": name'
        in (worker["src"])
    )
    assert "var name; return __jfxRun.call(" in out["code"]
    assert "case 0: return function reply(err, data) { res.send(name + data); };" in out["code"]


def test_unsupported_shapes_are_refused_with_a_reason() -> None:
    """`this`, `arguments` (an arrow's is its enclosing function's), a returned value the caller
    may use, generators and assignments to an enclosing function's variable are not moved, each
    with its reason."""
    returns = "it returns a value, which its caller may use (not supported yet)"
    cases = {
        "var f = function (a) { g(this.x); };": (1, 8, "it uses `this` (not supported yet)"),
        "var f = (a) => { g(this); };": (1, 8, "it uses `this` (not supported yet)"),
        "var f = function () { g(arguments[0]); };": (
            1,
            8,
            "it uses `arguments` (not supported yet)",
        ),
        "function o() { return () => { g(arguments[0]); }; }": (
            1,
            22,
            "it uses `arguments` (not supported yet)",
        ),
        "var f = function (a) { if (a) return a + 1; };": (1, 8, returns),
        "var f = (a) => a;": (1, 8, returns),
        "var f = function* () {};": (1, 8, "a generator (not supported yet)"),
        "function g() { var n = 0; return function () { n = 1; }; }": (
            1,
            33,
            "it assigns n, a variable of the enclosing function",
        ),
        "var x = 1;": (1, 0, "no function starts at line 1, column 0"),
    }
    for source, (line, column, reason) in cases.items():
        out = _plans(source, line, column)
        assert out["plans"] == [{"id": 0, "reason": reason}], source
        assert out["code"] == source


def test_arrow_and_async_shells_keep_their_kind() -> None:
    """An arrow's shell is an arrow that passes its parameters (it has no `arguments`), an
    async function's is async; `this` of a nested function and a value returned by a nested
    function or an async function do not stop a move."""
    arrow = "var f = (a, b) => { a.x = function () { return this; }; b(); };"
    out = _plans(arrow, 1, 8)
    assert out["plans"][0]["worker"]["async"] is False
    assert out["code"].startswith(
        "var f = (a, b) => { return __jfxRun.call(0, undefined, [a, b], (a, b) => { a.x = "
    )
    lone = "var f = async (a) => a + 1;"
    out = _plans(lone, 1, 8)
    assert out["plans"][0]["worker"] == {
        "src": "async (a) => a + 1",
        "params": ["value"],
        "context": [],
        "stream": [],
        "continuations": 0,
        "async": True,
    }
    assert "__jfxRun.call(0, undefined, [a], async (a) => (a + 1), " in out["code"]
    named = "async function g(x) { return await x; }"
    out = _plans(named, 1, 0)
    assert out["code"].startswith(
        "async function g(x) { return __jfxRun.call(0, this, arguments, async function g(x) { "
    )


LISTENING = """
const run = require(process.argv[1] + '/worker.js');
// A listener that fires twice, one that never fires, then a post continuation that ends the task.
const src = "function (next) { var e = new (require('events'))(), n = 0; "
  + "e.on('data', __jfxL(function (k) { n += k; })); "
  + "e.on('never', __jfxL(function () { n = -1; })); "
  + "e.emit('data', 2); e.emit('data', 3); setImmediate(__jfxW(function () { next(n); })); }";
run({ fid: 0, file: process.argv[1] + '/worker.js', src, ctx: {}, perCall: [], perCallValues: [],
  args: [{ $jfx: 'h', id: 0, role: 'call' }] })
  .then((answer) => console.log(JSON.stringify(answer)));
"""


def test_listeners_in_a_task_run_there_and_are_not_waited_for() -> None:
    """Listeners the task registers run in the worker each time they fire; one that never fires
    does not hold the task, which ends with its post continuation."""
    answer = _node(LISTENING)
    assert answer["messages"] == [{"kind": "call", "h": 0, "args": [5]}]


def test_listener_targets_are_wrapped_apart() -> None:
    """An inner function marked `listener` is wrapped as a listener in the worker's source, a
    continuation as one the task waits for."""
    source = (
        "function f(next) {\n"
        "  e.on('data', function (c) { n += c; });\n"
        "  e.on('end', function () { next(); });\n"
        "}\n"
    )
    target = {"id": 0, "line": 1, "column": 0, "continuations": [],
              "inner": [{"name": "d", "line": 2, "column": 15, "listener": True},
                        {"name": "x", "line": 3, "column": 14, "listener": False}]}  # fmt: skip
    script = (
        "const { rewrite } = require(process.argv[1] + '/rewrite.js');"
        f"console.log(JSON.stringify(rewrite({json.dumps(source)}, [{json.dumps(target)}])));"
    )
    (plan,) = _node(script)["plans"]
    assert "e.on('data', __jfxL(function (c) { n += c; }));" in plan["worker"]["src"]
    assert "e.on('end', __jfxW(function () { next(); }));" in plan["worker"]["src"]


CODEC = """
const { encode, decode, Unclonable } = require(process.argv[1] + '/codec.js');
const fs = require('fs');
const options = { modules: true };
const sent = structuredClone(encode({ b: Buffer.from('hi'), e: new RangeError('no'),
  list: [1, 'two', null] }, options, 'message'));
const back = decode(sent, { require: (id) => require(id) });
back.m = decode(structuredClone(encode(fs, options, 'fs')), { require: (id) => require(id) });
let refused = null;
try {
  encode({ deep: { socket: new (class Socket { write() {} })() } }, options, 'message');
} catch (e) {
  refused = e instanceof Unclonable ? e.message : 'wrong error';
}
console.log(JSON.stringify({ buffer: Buffer.isBuffer(back.b) && back.b.toString(),
  error: [back.e instanceof Error, back.e.name, back.e.message], fs: back.m === fs,
  list: back.list, refused }));
"""


def test_codec_keeps_buffers_errors_modules_and_refuses_instances() -> None:
    """Buffers come back as Buffers, errors as errors, a module (a message's value itself) as
    the same module; a class instance anywhere in a message cannot cross, and the reason says
    where."""
    out = _node(CODEC)
    assert out == {
        "buffer": "hi",
        "error": [True, "RangeError", "no"],
        "fs": True,
        "list": [1, "two", None],
        "refused": "message.deep.socket is a Socket instance",
    }


TRANSPORT = """
const { createTransport } = require(process.argv[1] + '/transport.js');
const t = createTransport({ workers: 1 });
const task = (fid, src, args) => ({ fid, file: process.argv[1] + '/worker.js', src, ctx: {},
  perCall: [], perCallValues: [], args });
(async () => {
  let lost = null;
  try {
    await t.send(task(0, 'function () { process.exit(3); }', []));
  } catch (e) {
    lost = 'rejected';
  }
  const answer = await t.send(task(1, 'function (next, n) { next(n * 2); }',
    [{ $jfx: 'h', id: 0, role: 'call' }, 21]));
  await t.close();
  console.log(JSON.stringify({ lost, answer }));
})();
"""

PINNED = """
const { createTransport } = require(process.argv[1] + '/transport.js');
const t = createTransport({ workers: 2 });
// A fluxion that counts its calls in its context, and says which thread ran it.
const task = (fid, pinned) => ({ fid, file: process.argv[1] + '/worker.js', async: true, pinned,
  src: 'async function () { calls += 1; await new Promise((r) => setTimeout(r, 20)); '
    + "return [require('worker_threads').threadId, calls]; }",
  ctx: { calls: 0 }, perCall: [], perCallValues: [], args: [] });
(async () => {
  const run = (fid, pinned) => Promise.all([1, 2, 3, 4, 5, 6].map(() => t.send(task(fid, pinned))));
  const pinned = (await run(0, true)).map((a) => a.value);
  const spread = (await run(1, false)).map((a) => a.value);
  await t.close();
  console.log(JSON.stringify({ pinned, spread }));
})();
"""


def test_transport_replaces_a_dead_worker() -> None:
    """A worker that dies loses its task (the caller then runs it itself); the next task runs
    in a new worker and its call of next() comes back as a message."""
    out = _node(TRANSPORT)
    assert out["lost"] == "rejected"
    assert out["answer"]["messages"] == [{"kind": "call", "h": 0, "args": [42]}]
    assert out["answer"]["ms"] >= 0


def test_pinned_tasks_share_one_worker_and_its_context() -> None:
    """Tasks of a fluxion that writes its context, sent at once, all run in one worker of its
    own, one after the other: its count goes 1 to 6. Unpinned, they spread over the pool and
    each worker counts its own calls."""
    out = _node(PINNED)
    assert len({thread for thread, _ in out["pinned"]}) == 1
    assert [calls for _, calls in out["pinned"]] == [1, 2, 3, 4, 5, 6]
    assert len({thread for thread, _ in out["spread"]}) == 2
    assert max(calls for _, calls in out["spread"]) < 6

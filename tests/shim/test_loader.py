"""Which files are instrumented (node_shim/lib/loader.js): the app's own files under
JITFLUX_ROOT, not node_modules, unless a package is named in JITFLUX_INCLUDE."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import EXAMPLES, copy_app
from tests.shim.shimrun import SHIM, Dump, NodeApp, run_node


def test_included_package_is_instrumented(tmp_path: Path) -> None:
    """With JITFLUX_INCLUDE, a handler from node_modules is an instrumented function."""
    app = copy_app(EXAMPLES / "paper-gifsockets", tmp_path)
    env = {"JITFLUX_INCLUDE": "gifsockets-middleware"}
    with NodeApp(app, tmp_path / "run", 5, env=env) as node:
        assert node.post("/image/text", b"hi").text == "frame: hi\n"
    dump = Dump(node.dump())
    handler = dump.function("writeTextToImages")
    assert handler["file"].endswith("gifsockets-middleware/index.js")
    assert handler["file"] in dump.data["sources"]
    assert "writeTextToImages" not in {e["name"] for e in dump.data["external"]}
    point = dump.rupture("writeTextToImages")
    assert (point["callee"], point["caller"]) == ("app.post", dump.toplevel())


def test_only_the_apps_own_files_are_instrumented(tmp_path: Path) -> None:
    """Files under the root are instrumented, with paths relative to it; node_modules and files
    outside the root are not."""
    root = tmp_path / "app"
    (root / "lib").mkdir(parents=True)
    (root / "node_modules" / "dep").mkdir(parents=True)
    outside = tmp_path / "shared.js"
    outside.write_text("module.exports = function shared() { return 'shared'; };\n")
    (root / "lib" / "helper.js").write_text(
        "module.exports = function helper() { return 'helper'; };\n"
    )
    (root / "node_modules" / "dep" / "index.js").write_text(
        "module.exports = function dep() { return 'dep'; };\n"
    )
    (root / "server.js").write_text(
        "var parts = [require('./lib/helper'), require('dep'), require('../shared.js')];\n"
        "console.log(parts.map(function call(f) { return f(); }).join(' '));\n"
    )
    dump_path = tmp_path / "dump.json"
    env = {**os.environ, "JITFLUX_ROOT": str(root), "JITFLUX_DUMP": str(dump_path)}
    result = run_node(["--require", str(SHIM), "server.js"], root, env)
    assert (result.returncode, result.stdout) == (0, "helper dep shared\n")
    dump = Dump(json.loads(dump_path.read_text()))
    assert sorted(dump.data["sources"]) == ["lib/helper.js", "server.js"]
    files = {(f["name"], f["file"]) for f in dump.data["functions"]}
    assert files == {
        ("", "server.js"),
        ("call", "server.js"),
        ("", "lib/helper.js"),
        ("helper", "lib/helper.js"),
    }
    # Ids follow the order files are instrumented in, then source order.
    assert [f["id"] for f in dump.data["functions"]] == ["f0", "f1", "f2", "f3"]
    assert dump.toplevel("lib/helper.js") == "f2"

"""The differential fuzzer (bench/fuzz.py): random programs run plain and instrumented by the
shim give the same output; a fixed handful of seeds, deterministic."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FUZZ = ROOT / "bench" / "fuzz.py"
SEEDS = 20


def generated(seed: int) -> str:
    """The program of a seed, as the fuzzer prints it."""
    result = subprocess.run(
        [sys.executable, str(FUZZ), "--print", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_programs_are_deterministic_and_varied() -> None:
    """A seed always gives the same program; the fixed seeds cover what the generator knows:
    closures, async/await, promises, timers, classes with getters and private fields,
    generators, labels, switch, try/catch, destructuring, both semicolon styles, patched
    built-ins."""
    programs = [generated(seed) for seed in range(SEEDS)]
    assert generated(3) == programs[3]
    assert len(set(programs)) == SEEDS
    text = "\n".join(programs)
    for feature in [
        "await ", "async function", ".then(", "setImmediate(", "setTimeout(", "class C",
        "get g ()", "#secret", "function * ", "switch (", "try {", "finally {", "for await",
        "continue", "patch(", "[v0, ", "`t${",
    ]:  # fmt: skip
        assert feature in text, feature
    assert re.search(r"\n *L\d+: for", text)
    without = [p for p in programs if not re.search(r";\n", p.split("log('start')")[1])]
    assert 0 < len(without) < SEEDS  # some programs have no semicolons at all


def test_fixed_seeds_show_no_difference(tmp_path: Path) -> None:
    """Seeds 0-19: stdout, stderr and exit status are the same plain, traced with effects and
    traced with rupture points only (apart from the documented differences)."""
    result = subprocess.run(
        [sys.executable, str(FUZZ), "--seeds", str(SEEDS), "--start", "0",
         "--keep", str(tmp_path / "differing")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith(f"seeds 0..{SEEDS - 1}: {SEEDS} run, 0 invalid, 0 with differences")

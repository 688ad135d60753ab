#!/usr/bin/env python3
"""Differential fuzzer: random small programs (bench/fuzzgen.py), each run plain and
instrumented by the shim (`node --require node_shim/index.js`, as the shim's tests run it), with
and without effects; stdout, stderr and the exit status must be the same.

    bench/fuzz.py --seeds 1000 --start 0 [--jobs 2] [--keep DIR]

Documented differences (node_shim/PROTOCOL.md) are not counted as differences: when an uncaught
error ends the process, the source line Node prints above the stack (and its caret) is the
instrumented line (taken out before comparing); the message of a TypeError about a callee or
iterable that V8 prints from the code (`(x || y) is not a function`) names an inserted hook when
the failing expression holds a recorded variable access or an await; and a called function
literal, `(function () {...})()(x)`, prints as "(intermediate value)(intermediate value)(...)"
(V8 prints the literal twice when its body has statements before its return). These two are
counted apart, as "documented". A program whose output changes from one untraced run to the next
is left out, as one that does not parse. Programs that differ are written into --keep (default:
a temporary folder) with the outputs of each run. Exit status: 0 no difference, 1 differences,
2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzzgen import program  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "node_shim" / "index.js"
TIMEOUT = 20.0
# name -> extra environment of the run (None: untraced)
# Untraced reruns of a program whose traced output differed, to tell a nondeterministic
# program (timer races; seed 376 agreed once in two runs) from a difference of the shim.
PLAIN_RERUNS = 3
CONFIGS: dict[str, dict[str, str] | None] = {
    "plain": None,
    "effects": {"JITFLUX_EFFECTS": "1"},
    "ruptures-only": {"JITFLUX_EFFECTS": "0"},
}


@dataclass(frozen=True)
class Outcome:
    """What one run of a program printed and how it ended."""

    stdout: str
    stderr: str
    status: int | str  # exit status, or "timeout"


@dataclass
class Verdict:
    """The comparison of one seed's runs: the configurations that differ from plain, and those
    whose only difference is a documented one."""

    seed: int
    valid: bool
    differ: list[str]
    documented: list[str]
    seconds: float


# A V8 message that prints the code of the failing expression, with an inserted hook in it.
HOOK_MESSAGE = re.compile(
    r"__jf\.\w+\(.*(is not a function|is not a constructor|is not iterable|is not async iterable)"
)
# V8 prints a called function literal as "(intermediate value)", twice when its body has
# statements before its return (an instrumented body always has): `(function () {...})()(x)`.
LITERAL_MESSAGE = re.compile(r"\(intermediate value\)(\(intermediate value\))?\(\.\.\.\)")


def same_message(plain: str, traced: str) -> bool:
    """Whether two lines differ only as documented for V8's messages."""
    if HOOK_MESSAGE.search(traced):
        return True
    return LITERAL_MESSAGE.sub("(intermediate value)(...)", plain) == LITERAL_MESSAGE.sub(
        "(intermediate value)(...)", traced
    )


def documented(plain: Outcome, traced: Outcome) -> bool:
    """Whether the outcomes differ only in messages that name an inserted hook."""
    if plain.status != traced.status:
        return False
    for a, b in ((plain.stdout, traced.stdout), (plain.stderr, traced.stderr)):
        left, right = a.split("\n"), b.split("\n")
        if len(left) != len(right):
            return False
        if any(x != y and not same_message(x, y) for x, y in zip(left, right, strict=True)):
            return False
    return True


def normalize(stderr: str, script: Path) -> str:
    """stderr without the source line and caret Node prints under `script:LINE` above an
    uncaught error (the instrumented line, traced)."""
    lines = stderr.split("\n")
    out: list[str] = []
    skip = 0
    header = re.compile(re.escape(str(script)) + r":\d+$")
    for line in lines:
        if skip > 0:
            skip -= 1
            continue
        out.append(line)
        if header.match(line):
            skip = 2
    return "\n".join(out)


def run(script: Path, env: dict[str, str] | None) -> Outcome:
    """Run `script` with node, plain or with the shim preloaded."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("JITFLUX_")}
    args = ["node", script.name]
    if env is not None:
        args = ["node", "--require", str(SHIM), script.name]
        base.update(env, JITFLUX_ROOT=str(script.parent))
    try:
        done = subprocess.run(
            args, cwd=script.parent, env=base, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return Outcome("", "", "timeout")
    return Outcome(done.stdout, normalize(done.stderr, script), done.returncode)


def check(seed: int, work: Path, keep: Path) -> Verdict:
    """Generate, run and compare one seed; keep the program and outputs when they differ."""
    started = time.monotonic()
    folder = work / f"seed-{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "prog.js"
    script.write_text(program(seed))
    outcomes = {name: run(script, env) for name, env in CONFIGS.items()}
    plain = outcomes["plain"]
    # A program that does not parse, or runs into the time limit, says nothing about the shim.
    valid = plain.status != "timeout" and "SyntaxError" not in plain.stderr
    changed = [n for n, o in outcomes.items() if n != "plain" and o != plain] if valid else []
    if changed and any(run(script, None) != plain for _ in range(PLAIN_RERUNS)):
        # Neither does one whose output changes from run to run untraced (timers that depend on
        # how fast the loop goes): one rerun can agree by chance, so a few are made.
        valid = False
        changed = []
    known = [n for n in changed if documented(plain, outcomes[n])]
    differ = [n for n in changed if n not in known]
    if differ:
        target = keep / f"seed-{seed}"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(script, target / "prog.js")
        for name, o in outcomes.items():
            (target / f"{name}.out").write_text(f"status: {o.status}\n--- stdout\n{o.stdout}"
                                                f"--- stderr\n{o.stderr}")  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    return Verdict(seed, valid, differ, known, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer; print one line per differing seed and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200, help="how many seeds (default 200)")
    parser.add_argument("--start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=2, help="programs run at once (default 2)")
    parser.add_argument("--keep", type=Path, help="folder for the programs that differ")
    parser.add_argument("--print", type=int, metavar="SEED", help="print the program of SEED")
    args = parser.parse_args(argv)
    if args.print is not None:
        sys.stdout.write(program(args.print))
        return 0
    if args.seeds < 1 or args.jobs < 1 or args.start < 0:
        parser.error("--seeds and --jobs must be at least 1, --start at least 0")
    keep = args.keep or Path(tempfile.mkdtemp(prefix="jitflux-fuzz-"))
    started = time.monotonic()
    seeds = range(args.start, args.start + args.seeds)
    with tempfile.TemporaryDirectory(prefix="jitflux-fuzz-run-") as work:
        with ThreadPoolExecutor(args.jobs) as pool:
            verdicts = list(pool.map(lambda s: check(s, Path(work), keep), seeds))
    elapsed = time.monotonic() - started
    differing = [v for v in verdicts if v.differ]
    for v in differing:
        print(f"seed {v.seed}: differs ({', '.join(v.differ)}), see {keep / f'seed-{v.seed}'}")
    invalid = sum(1 for v in verdicts if not v.valid)
    known = sum(1 for v in verdicts if v.documented and not v.differ)
    print(f"seeds {args.start}..{args.start + args.seeds - 1}: {len(verdicts)} run, "
          f"{invalid} invalid, {len(differing)} with differences, {known} with documented "
          f"differences only, {elapsed:.1f} s ({elapsed / len(verdicts):.2f} s a seed, "
          f"{args.jobs} at once)")  # fmt: skip
    if not differing and args.keep is None:
        shutil.rmtree(keep, ignore_errors=True)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())

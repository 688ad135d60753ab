#!/usr/bin/env python3
"""Run the corpus: each app untraced, traced, and traced with --include of its packages, the same
requests each time, answers compared byte for byte; then its verdict expectations checked
against `jitflux emit --format json`. Prints a table per app; exit 0 only when all hold."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
sys.path.insert(0, str(CORPUS.parent))

from corpus import verdicts  # noqa: E402
from corpus.client import Answer, read_answers, send_all, write_answers  # noqa: E402
from corpus.compare import first_difference, output_difference  # noqa: E402
from jitflux.trace import load  # noqa: E402
from jitflux.tracing.drive import Request, parse_request, read_requests  # noqa: E402
from tests.isolation import isolation_leaks  # noqa: E402

START_LIMIT = 30.0  # seconds for an untraced app to listen
TRACE_LIMIT = 300.0  # seconds for a whole traced run
SETTLE = 0.5  # seconds the untraced app keeps running after its last answer, as jitflux's --settle
NPM_CI = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]


@dataclass
class Run:
    """One run of an app: the answers it gave (None when it never answered) and what happened."""

    label: str
    answers: list[Answer] | None
    note: str = ""
    trace: Path | None = None
    seconds: float = 0.0


@dataclass
class Outcome:
    """All that was found about one app."""

    app: str
    rows: list[tuple[str, str, bool, str]] = field(default_factory=list)
    fluxions: dict[str, str] = field(default_factory=dict)  # per trace: its fluxions in brief

    def add(self, kind: str, name: str, ok: bool, detail: str) -> None:
        """Record one line of the app's table."""
        self.rows.append((kind, name, ok, detail))

    @property
    def ok(self) -> bool:
        """True when every line holds."""
        return all(ok for _, _, ok, _ in self.rows)


def apps(names: list[str]) -> list[Path]:
    """The app folders to run: those named, or every folder with an app.json; a ValueError
    names the unknown ones."""
    every = sorted(p.parent for p in CORPUS.glob("*/app.json"))
    if not names:
        return every
    known = {p.name: p for p in every}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"no corpus app named {', '.join(unknown)} (known: {', '.join(known)})")
    return [known[n] for n in names]


def install(app: Path) -> None:
    """`npm ci` in the app's folder unless its node_modules is already there for this lock."""
    stamp = app / "node_modules" / ".installed"
    lock = app / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(NPM_CI, cwd=app, check=True, stdout=subprocess.DEVNULL)
    stamp.parent.mkdir(exist_ok=True)
    stamp.touch()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def background(spec: dict) -> tuple[Request, ...]:
    """The app's background requests (responses that stay open while the others run)."""
    return tuple(parse_request(line, "app.json background") for line in spec.get("background", []))


def command(app_spec: dict, port: int) -> list[str]:
    """The app's start command with `{port}` filled in."""
    return [part.replace("{port}", str(port)) for part in app_spec["start"]]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and its group: SIGTERM, then SIGKILL after 5 s."""
    if process.poll() is None:
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(grace)
                break
            except subprocess.TimeoutExpired:
                continue


def last_line(path: Path) -> str:
    """The last non-empty line of a log file, shortened."""
    lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:160] if lines else ""


def run_untraced(app: Path, spec: dict, port: int, work: Path) -> Run:
    """The app untraced: start it, wait until it listens, send the requests, stop it."""
    env = {**os.environ, "PORT": str(port)}
    err = work / "untraced.stderr"
    started = time.monotonic()
    with open(work / "untraced.stdout", "wb") as out, open(err, "wb") as errf:
        process = subprocess.Popen(
            command(spec, port), cwd=app, env=env, stdout=out, stderr=errf, start_new_session=True
        )
        try:
            deadline = time.monotonic() + START_LIMIT
            while True:
                if process.poll() is not None:
                    note = f"exited {process.returncode}: {last_line(err)}"
                    return Run("untraced", None, note)
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        return Run("untraced", None, f"did not listen within {START_LIMIT:.0f} s")
                    time.sleep(0.1)
            answers = send_all(port, read_requests(app / "requests.txt"), background(spec))
            write_answers(work / "untraced.answers.json", answers)
            time.sleep(SETTLE)  # what the app does after its last answer (a log line) is output too
        finally:
            stop(process)
    return Run("untraced", answers, seconds=time.monotonic() - started)


def run_traced(app: Path, spec: dict, port: int, work: Path, label: str, jitflux: str) -> Run:
    """The app under `jitflux trace`, driven by the corpus client, with --include of the app's
    packages when label is "include"."""
    out = work / f"{label}.answers.json"
    trace = work / f"{label}.trace.json"
    client = CORPUS / "client.py"
    drive_args = [sys.executable, str(client), str(app / "requests.txt"), str(out)]
    for line in spec.get("background", []):
        drive_args += ["--background", line]
    drive = shlex.join(drive_args)
    args = [jitflux, "trace", "-q", "-o", str(trace), "--settle", str(SETTLE), "--drive", drive]
    if label == "include":
        for package in spec["include"]:
            args += ["--include", package]
    args += ["--", *command(spec, port)]
    env = {**os.environ, "PORT": str(port)}
    err = work / f"{label}.stderr"
    started = time.monotonic()
    with open(work / f"{label}.stdout", "wb") as outf, open(err, "wb") as errf:
        process = subprocess.Popen(
            args, cwd=app, env=env, stdout=outf, stderr=errf, start_new_session=True
        )
        try:
            status = process.wait(TRACE_LIMIT)
        except subprocess.TimeoutExpired:
            status = None
        finally:
            stop(process)
    seconds = time.monotonic() - started
    note = "timed out" if status is None else (f"jitflux exit {status}" if status else "")
    if status:
        note += f": {last_line(err)}"
    answers = read_answers(out) if out.exists() else None
    return Run(label, answers, note, trace if trace.exists() else None, seconds)


def script_folder(spec: dict) -> str:
    """The folder of the traced script relative to the app's (emitted files are relative to it)."""
    args = [a for a in spec["start"][1:] if not a.startswith("-")]
    return os.path.dirname(args[0]) if args else ""


def emit(trace: Path, jitflux: str, folder: str) -> tuple[dict | None, str]:
    """`jitflux emit --from TRACE --format json`, parsed, or None and why."""
    result = subprocess.run(
        [jitflux, "emit", "--from", str(trace), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None, f"emit exit {result.returncode}: {result.stderr.strip()[:160]}"
    return verdicts.rebase(json.loads(result.stdout), folder), ""


def run_app(app: Path, jitflux: str, transparency_only: bool, keep: Path | None) -> Outcome:
    """Everything about one app: the three runs, the comparisons, the expectations."""
    spec = json.loads((app / "app.json").read_text(encoding="utf-8"))
    outcome = Outcome(app.name)
    install(app)
    work = keep / app.name if keep else Path(tempfile.mkdtemp(prefix=f"corpus-{app.name}-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        port = free_port()  # the same port for every run: answers that name it stay comparable
        untraced = run_untraced(app, spec, port, work)
        runs = {"plain": run_traced(app, spec, port, work, "plain", jitflux)}
        if spec["include"]:
            runs["include"] = run_traced(app, spec, port, work, "include", jitflux)
        for run in runs.values():
            compare(spec, untraced, run, work, outcome)
        if not transparency_only:
            check_expectations(app, runs, jitflux, outcome)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return outcome


def compare(spec: dict, untraced: Run, run: Run, work: Path, outcome: Outcome) -> None:
    """Add the lines comparing a traced run with the untraced one: answers, stdout, stderr."""
    name = "traced" if run.label == "plain" else "traced --include " + ",".join(spec["include"])
    if untraced.answers is None:
        outcome.add("transparency", name, False, f"untraced app gave no answers: {untraced.note}")
        return
    if run.answers is None:
        outcome.add("transparency", name, False, f"traced app gave no answers ({run.note})")
        return
    diff = first_difference(untraced.answers, run.answers)
    detail = diff or f"{len(run.answers)} answers identical ({run.seconds:.1f} s)"
    if run.note and not diff:
        detail += f"; {run.note}"
    outcome.add("transparency", name, diff is None, detail)
    for stream in ("stdout", "stderr"):
        if stream == "stdout" and not spec.get("compare_stdout", True):
            continue
        diff = output_difference(
            work / f"untraced.{stream}", work / f"{run.label}.{stream}", stream
        )
        outcome.add("transparency", f"{name} {stream}", diff is None, diff or "same output")


def check_expectations(app: Path, runs: dict[str, Run], jitflux: str, outcome: Outcome) -> None:
    """Check each expectation of the app's expect.json on the emitted program of its trace."""
    expected = json.loads((app / "expect.json").read_text(encoding="utf-8"))
    spec = json.loads((app / "app.json").read_text(encoding="utf-8"))
    programs: dict[str, tuple[dict | None, str]] = {}
    for label, run in runs.items():
        if run.trace is None:
            programs[label] = (None, f"no trace ({run.note})")
        else:
            programs[label] = emit(run.trace, jitflux, script_folder(spec))
    for label, (program, _) in programs.items():
        if program is not None:
            isolated = [f["name"] for f in program["fluxions"] if f["isolated"]]
            outcome.fluxions[label] = (
                f"{len(program['fluxions'])} fluxions, {len(isolated)} isolated"
                + (f" ({', '.join(isolated)})" if isolated else "")
            )
    for label, (program, _) in programs.items():
        trace = runs[label].trace
        if program is not None and trace is not None:
            # The suite's isolation check (tests/isolation.py) on every traced run.
            leaks = isolation_leaks(load(trace), program)
            name = "isolation-check" + ("" if label == "plain" else " [include]")
            outcome.add("verdict", name, not leaks, "; ".join(leaks) or "no leak")
    for exp in expected["expectations"]:
        label = exp.get("trace", "plain")
        program, why_not = programs.get(label, (None, f"no {label} run"))
        if program is None:
            outcome.add("verdict", exp["id"], False, why_not)
            continue
        ok, detail = verdicts.check(exp, program)
        outcome.add("verdict", exp["id"] + ("" if label == "plain" else " [include]"), ok, detail)


def print_table(outcome: Outcome, width: int) -> None:
    """One app's table: a line per comparison and per expectation."""
    print(f"== {outcome.app}")
    for label, brief in outcome.fluxions.items():
        print(f"  {'emit':<12} {label:<5} {brief}")
    for kind, name, ok, detail in outcome.rows:
        mark = "ok  " if ok else ("diff" if kind == "transparency" else "FAIL")
        if kind == "verdict":
            mark = "held" if ok else "FAIL"
        line = f"  {kind:<12} {mark}  {name:<34} {detail}"
        print(line if width <= 0 else line[:width])
    sys.stdout.flush()


def _same(oks: list[bool]) -> str:
    return "-" if not oks else ("same" if all(oks) else "**differs**")


def markdown(outcomes: list[Outcome]) -> str:
    """A summary table of the run, in Markdown (for corpus/README.md)."""
    lines = [
        "| app | traced | traced --include | stdout | stderr | verdicts held "
        "| fluxions (trace without --include) |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        rows = [(n, ok) for k, n, ok, _ in o.rows if k == "transparency"]
        plain = [ok for n, ok in rows if n == "traced"]
        outputs = (" stdout", " stderr")
        included = [ok for n, ok in rows if n.startswith("traced --") and not n.endswith(outputs)]
        stdout = [ok for n, ok in rows if n.endswith(" stdout")]
        stderr = [ok for n, ok in rows if n.endswith(" stderr")]
        verdict = [ok for k, _, ok, _ in o.rows if k == "verdict"]
        held = f"{sum(verdict)}/{len(verdict)}" if verdict else "-"
        lines.append(
            f"| {o.app} | {_same(plain)} | {_same(included)} | {_same(stdout)} | {_same(stderr)} "
            f"| {held} | {o.fluxions.get('plain', '-')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__,
        epilog="examples:\n  .venv/bin/python corpus/run.py\n"
        "  .venv/bin/python corpus/run.py --transparency koa-router plain-http\n"
        "  .venv/bin/python corpus/run.py --keep /tmp/corpus express4-ejs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("apps", nargs="*", metavar="APP", help="corpus folders to run (all)")
    parser.add_argument(
        "--transparency", action="store_true", help="compare answers only, check no verdicts"
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep traces, answers and logs in DIR/APP/"
    )
    parser.add_argument(
        "--jitflux",
        default=str(Path(sys.executable).parent / "jitflux"),
        help="the jitflux command (default: the one beside this Python)",
    )
    parser.add_argument(
        "--width", type=int, default=0, help="cut table lines to this width (0: never)"
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write a summary table to FILE"
    )
    args = parser.parse_args()
    try:
        chosen = apps(args.apps)
    except ValueError as exc:
        parser.error(str(exc))
    if not os.access(args.jitflux, os.X_OK):
        parser.error(f"{args.jitflux} is not an executable jitflux (run `make setup`)")
    outcomes = []
    try:
        for app in chosen:
            outcome = run_app(app, args.jitflux, args.transparency, args.keep)
            print_table(outcome, args.width)
            outcomes.append(outcome)
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
    except subprocess.CalledProcessError as exc:
        print(f"run.py: {shlex.join(exc.cmd)} failed with status {exc.returncode}", file=sys.stderr)
        return 1
    if args.markdown:
        args.markdown.write_text(markdown(outcomes), encoding="utf-8")
    failed = [o.app for o in outcomes if not o.ok]
    held = sum(ok for o in outcomes for _, _, ok, _ in o.rows)
    total = sum(len(o.rows) for o in outcomes)
    print(f"\n{held}/{total} checks hold; apps with failures: {', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

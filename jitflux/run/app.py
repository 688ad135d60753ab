"""Start the app with the shim preloaded in run mode (no inspector), learn its port, stop it.

The app runs as `node --require SHIM [NODE OPTIONS] SCRIPT [ARGS]` with JITFLUX_MODE=run in its
own process group; `stop` ends the whole group (the worker threads die with the process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from jitflux.errors import AppExited, NotListening
from jitflux.run.placement import write_placement
from jitflux.tracing.command import NodeCommand
from jitflux.tracing.launch import locate, spawn_with_shim, stop_process_group


class RunningApp:
    """A node process started by `run` or `verify`, with its placement, port and statistics."""

    def __init__(
        self, process: asyncio.subprocess.Process, folder: tempfile.TemporaryDirectory[str]
    ) -> None:
        self.process = process
        self._folder = folder
        self.port_file = Path(folder.name) / "port"
        self.stats_file = Path(folder.name) / "stats.json"
        self._stopped = False

    @classmethod
    async def start(
        cls,
        command: NodeCommand,
        *,
        placement: dict[str, Any] | None,
        env: Mapping[str, str],
        stdout: BinaryIO | int | None = None,
        stderr: BinaryIO | int | None = None,
    ) -> RunningApp:
        """Launch the app; `placement` None runs it plain (the shim only reports the port)."""
        node, _ = locate(command, env)
        folder = tempfile.TemporaryDirectory(prefix="jitflux-run-")
        placement_file = Path(folder.name) / "placement.json"
        write_placement(placement_file, placement or {"workers": 0, "fluxions": []})
        child_env = dict(env)
        child_env["JITFLUX_MODE"] = "run"
        child_env["JITFLUX_PLACEMENT"] = str(placement_file)
        child_env["JITFLUX_PORT_FILE"] = str(Path(folder.name) / "port")
        child_env["JITFLUX_RUN_STATS"] = str(Path(folder.name) / "stats.json")
        process = await spawn_with_shim(node, command, env=child_env, stdout=stdout, stderr=stderr)
        return cls(process, folder)

    async def wait_port(self, timeout: float = 30.0) -> int:
        """The port the app listens on, once it does; a JitfluxError (status 1) when it exits
        or does not listen within `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            with contextlib.suppress(OSError, ValueError):
                return int(self.port_file.read_text())
            if self.process.returncode is not None:
                raise AppExited(
                    f"the app exited (status {self.process.returncode}) before it listened"
                )
            await asyncio.sleep(0.02)
        raise NotListening(f"the app did not listen within {timeout:g} s")

    def stats(self) -> dict[str, Any]:
        """What the shim said of each moved fluxion: state, reason, calls in workers and here."""
        try:
            data = json.loads(self.stats_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return dict(data.get("fluxions", {}))

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the app's whole process group (SIGTERM, then SIGKILL); safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        await stop_process_group(self.process, grace)

    def cleanup(self) -> None:
        """Remove the app's temporary folder (placement, port, statistics)."""
        with contextlib.suppress(OSError):
            self._folder.cleanup()


def app_env(base: Mapping[str, str] | None, free_port: bool) -> dict[str, str]:
    """The app's environment: ours (or `base`), with PORT=0 when asked and PORT is unset, so
    that apps that listen on $PORT take a free port."""
    env = dict(os.environ if base is None else base)
    if free_port and "PORT" not in env:
        env["PORT"] = "0"
    return env

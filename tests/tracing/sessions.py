"""Helpers for tests of `trace()`: options that trace an app quietly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jitflux.tracing.session import TraceOptions


def quiet_options(script: Path, env: dict[str, str], **kwargs: Any) -> TraceOptions:
    """Options to trace `node SCRIPT` quietly, the app's output kept in memory."""
    kwargs.setdefault("output", script.parent / "trace.json")
    reports: list[str] = []
    return TraceOptions(
        command=["node", str(script)],
        env={**env, "PORT": "0"},
        stdout=io.BytesIO(),
        stderr=io.BytesIO(),
        report=reports.append,
        notice=None,
        **kwargs,
    )

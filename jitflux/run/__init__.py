"""`jitflux run` and `jitflux verify`: serve an app with its isolated fluxions in workers, and
check by replaying traffic that it still answers as the plain app."""

from jitflux.run.placement import Decision, choose
from jitflux.run.runner import RunOptions, serve
from jitflux.run.verify import VerifyOptions, VerifyResult, verify

__all__ = [
    "Decision",
    "RunOptions",
    "VerifyOptions",
    "VerifyResult",
    "choose",
    "serve",
    "verify",
]

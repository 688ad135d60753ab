"""jitflux: watch a Node.js web application run and re-emit it as fluxions."""

from jitflux.errors import JitfluxError

__version__ = "0.1.0"

__all__ = ["JitfluxError", "__version__"]

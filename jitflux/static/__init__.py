"""The paper's static compiler (section 3): esprima, a list of asynchronous callees, escope-like
scopes, giving the same `Trace` model as the dynamic tracer, as a baseline to measure it against.

    from jitflux.static import compile_script, load_callees
    trace = compile_script("server.js", load_callees("callees.json"))
"""

from jitflux.static.callees import DEFAULT_CALLEES, Callee, load_callees
from jitflux.static.compiler import compile_script

__all__ = ["DEFAULT_CALLEES", "Callee", "compile_script", "load_callees"]

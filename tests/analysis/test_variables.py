"""Tests of jitflux.analysis.variables: effects resolved to variables and their homes."""

from jitflux.analysis.fluxions import MAIN, identify
from jitflux.analysis.variables import collect, express_handlers, root_of
from tests.fixtures import TraceBuilder, helper_called_by_two_routes, load_fixture


def _variables(trace):
    variables, loose = collect(trace, identify(trace))
    return {v.name: v for v in variables}, loose


def test_module_state_is_persistent_and_parameters_live_in_their_fluxion() -> None:
    """count and template belong to main across requests; res is handler's parameter."""
    variables, loose = _variables(load_fixture("paper-counter"))
    assert variables["count"].persistent and variables["count"].home == MAIN
    assert variables["template"].persistent
    assert variables["fs"].module  # fs = require('fs')
    assert not variables["count"].module
    res = variables["res"]
    assert (res.home, res.persistent, res.parameter) == ("handler", False, True)
    assert [u.kind for u in res.uses] == ["read", "network"]
    assert loose == []


def test_a_hooked_network_use_is_tied_to_the_parameter_of_the_same_name() -> None:
    """raw-body's req.on in saveBody's part (no declaration) is saveBody's parameter req."""
    variables, loose = _variables(load_fixture("paper-gifsockets"))
    req = variables["req"]
    assert req.request and req.parameter and req.home == "saveBody"
    assert ("saveBody", "network") in [(u.fluxion, u.kind) for u in req.uses]
    # writeTextToImages's own res (external, no parameter known) touches no variable.
    assert [(u.fluxion, u.effect.target) for u in loose] == [("writeTextToImages", "res")]


def test_state_of_a_start_up_function_read_by_a_listener_is_persistent() -> None:
    """limit, bodyParser's parameter, is read by the listener saveBody: kept across requests."""
    variables, _ = _variables(load_fixture("paper-gifsockets"))
    assert variables["limit"].home == MAIN and variables["limit"].persistent


def test_state_of_a_folded_function_read_by_a_continuation_is_per_call() -> None:
    """When saveBody is not a fluxion, its req read by the getRawBody callback is per call."""
    b = TraceBuilder()
    top = b.toplevel(end=500)
    b.function("bodyParser", line=7, params=("limit",), range_=(190, 440))
    save = b.function("saveBody", line=8, params=("req", "res", "next"), range_=(230, 437))
    anon = b.function("", line=12, params=("err", "buffer"), range_=(360, 431))
    b.post("getRawBody", top, anon)
    b.effect(anon, "read", "req", owner=save, declared=(8, 27))
    b.effect(anon, "write", "req.body", owner=save, declared=(8, 27))
    variables, _ = _variables(b.trace())
    assert variables["req"].home == MAIN
    assert not variables["req"].persistent
    assert variables["req"].argument_of is None  # saveBody runs in main's part: no caller
    assert [u.kind for u in variables["req"].uses] == ["read", "mutate"]


def test_a_helper_called_by_a_fluxion_lives_in_that_fluxion() -> None:
    """A top-level helper's variable used by a callback it registers is per request."""
    b = TraceBuilder()
    top = b.toplevel(end=300)
    helper = b.function("helper", line=2, params=("x",), range_=(10, 100))
    handler = b.function("handler", line=6, params=("req", "res"), range_=(120, 250))
    done = b.function("done", line=3, range_=(40, 90))
    b.start("app.get", top, handler)
    b.post("fs.readFile", handler, done)
    b.effect(handler, "call", "helper", owner=top, declared=(2, 9), callee=helper)
    b.effect(done, "read", "x", owner=helper, declared=(2, 16))
    variables, _ = _variables(b.trace())
    # done is lexically inside helper, so helper is not folded into done: its caller decides.
    assert variables["x"].home == "handler"
    assert not variables["x"].persistent


def test_main_setting_up_its_own_state_is_not_a_use() -> None:
    """A write of module state by main's own part is start-up, not a tie."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    reply = b.function("reply", line=3)
    b.post("setTimeout", top, reply)
    b.effect(top, "write", "config", owner=None)
    b.effect(reply, "read", "config", owner=None)
    variables, _ = _variables(b.trace())
    assert [u.fluxion for u in variables["config"].uses] == ["reply"]


def test_express_handlers_and_roots() -> None:
    """Functions owning an express.next or registered with app.post are Express handlers."""
    trace = load_fixture("paper-gifsockets")
    assert express_handlers(trace) == {"f2", "f4"}
    assert root_of("req.body") == "req"
    assert root_of("cache[*]") == "cache"
    assert root_of("this.count") == "this"
    assert root_of("[*]") is None


def test_a_helper_called_by_two_routes_has_two_homes() -> None:
    """Each route's call of a shared helper makes its own variables: both are homes."""
    variables, _ = _variables(helper_called_by_two_routes())
    res = variables["res"]
    assert res.homes == ("one", "two") and not res.persistent
    # An argument the routes pass to sendFile, not a parameter of a fluxion's own function.
    assert res.argument_of is not None and not res.parameter
    assert res.argument_of.name == "sendFile"


def test_a_path_through_this_is_named_by_the_path() -> None:
    """`this.count` written in a method is the variable `this.count`, kept across requests."""
    b = TraceBuilder()
    top = b.toplevel(end=100)
    route = b.function("route", line=3)
    b.start("app.get", top, route)
    b.effect(route, "write", "this.count", owner=None)
    variables, _ = _variables(b.trace())
    assert list(variables) == ["this.count"]
    assert variables["this.count"].persistent
    assert [u.kind for u in variables["this.count"].uses] == ["mutate"]


def test_a_hooked_network_use_of_an_own_parameter_is_declared_where_the_source_says() -> None:
    """res.send inside a `with` (seen only by a prototype hook, no declaration) is the handler's
    parameter res, declared in its parameter list."""
    source = (
        "var app = require('express')();\n"
        "app.get('/', function within(req, res) {\n"
        "  with ({}) { res.send('x'); }\n"
        "});\n"
    )
    b = TraceBuilder(source)
    top = b.toplevel()
    start = source.index("function within")
    within = b.function(
        "within", line=2, column=13, params=("req", "res"), range_=(start, len(source) - 3)
    )
    b.start("app.get", top, within)
    b.effect(within, "network", "res", owner=None)
    variables, loose = _variables(b.trace())
    res = variables["res"]
    assert (res.owner, res.home, res.parameter) == (within, "within", True)
    assert res.declared is not None
    column = source.splitlines()[1].index("res)")
    assert (res.declared.file, res.declared.line, res.declared.column) == ("server.js", 2, column)
    assert loose == []

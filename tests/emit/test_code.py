"""Tests of jitflux.emit.code: each fluxion's text with placeholders for nested fluxions."""

from jitflux.emit import build
from tests.fixtures import TraceBuilder

APP = """\
app.get('/', (req, res) => {
\tconst tag = '😀';
\tsetTimeout(function later() {
\t\tsetImmediate(() => res.send(tag));
\t}, 1);
});
"""


def _code(trace, name: str) -> list[str]:
    return list(build(trace).get(name).code)


def _app_trace():
    """APP traced: the arrow handler, `later` and the innermost arrow; offsets in UTF-16."""
    b = TraceBuilder(APP)
    top = b.toplevel(end=len(APP) + 1)  # the emoji is two UTF-16 units

    def span(text: str, end_text: str) -> tuple[int, int]:
        start = APP.index(text)
        end = APP.index(end_text, start) + len(end_text)
        # Offsets after the emoji count it twice, as V8 does.
        return tuple(i + (1 if i > APP.index("😀") else 0) for i in (start, end))

    handler = b.function("", line=1, column=13, kind="arrow", range_=span("(req", "\n}"))
    later = b.function("later", line=3, column=12, range_=span("function later", "\n\t}"))
    inner = b.function("", line=4, column=15, kind="arrow", range_=span("() => res", "tag)"))
    b.start("app.get", top, handler)
    b.post("setTimeout", handler, later)
    b.post("setImmediate", later, inner)
    return b.trace()


def test_nested_fluxions_become_placeholders_and_text_is_dedented() -> None:
    """The handler shows `-> later`; later shows `-> anonymous_4`; tabs dedent as a block."""
    trace = _app_trace()
    assert _code(trace, "anonymous_1") == [
        "(req, res) => {",
        "\tconst tag = '😀';",
        "\tsetTimeout(-> later, 1);",
        "}",
    ]
    assert _code(trace, "later") == [
        "function later() {",
        "\tsetImmediate(-> anonymous_4);",
        "}",
    ]
    assert _code(trace, "anonymous_4") == ["() => res.send(tag)"]


def test_main_shows_the_whole_file_with_only_the_outermost_placeholder() -> None:
    """main's code is the whole file with the handler replaced, not its inner callbacks."""
    assert _code(_app_trace(), "main") == ["app.get('/', >> anonymous_1);"]

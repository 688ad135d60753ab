"""Tests of jitflux.explain: why each fluxion is tied, in words, with the proof."""

import json

import pytest

from jitflux.errors import JitfluxError
from jitflux.explain import WIDTH, explain, render_json, render_text, to_dict
from tests.fixtures import TraceBuilder, load_fixture

NAMES = ("paper-counter", "paper-gifsockets", "figure5")


def _text(name: str, fluxion: str | None = None) -> str:
    return render_text(explain(load_fixture(name), fluxion), summary=fluxion is None)


def test_share_tie_reads_like_a_compiler_diagnostic() -> None:
    """figure 5, add: headline, --> location, code line with a caret under c, then the rest."""
    lines = _text("figure5", "add").splitlines()
    start = lines.index(
        "tie[share]: `c` is written by `end` and read by `add`, which runs before `end`"
    )
    assert lines[start + 1 : start + 14] == [
        "            in the same request: a value cannot flow upstream without a race, so",
        "            both must share it",
        "  --> server.js:11:32",
        "   |",
        "11 |     var v = b + ':' + a + ':' + c;",
        "   |                                 ^ `add` reads `c`",
        "   |",
        "  ::: server.js:13:6",
        "   |",
        "13 |       c = v.length;",
        "   |       - `end` writes `c`",
        "   |",
        "  ::: server.js:5:2",
    ]
    text = "\n".join(lines)
    assert "= note: rule share, on the variable `c`: the tag `grp_c` ties `add` and\n" in text
    assert "= note: observed 2 times in `add` (e.g. request r1); 2 times in `end`" in text
    assert "= help: pass the value downstream instead of reading it upstream" in text


def test_an_isolated_fluxion_says_so_and_what_travels() -> None:
    """paper-counter, handler: isolated, receives [res] from main, sends [res] to reply."""
    text = _text("paper-counter", "handler")
    assert text.startswith("`handler` is isolated: no tag ties it to another fluxion.\n")
    assert "  receives [res] from `main` (>> start)\n" in text
    assert "  sends [res] to `reply` (-> post)\n" in text
    assert "tie[" not in text


def test_network_tie_points_at_the_socket_use_and_the_declaration() -> None:
    """paper-counter, reply: the caret underlines res in res.send; res declared in handler."""
    text = _text("paper-counter", "reply")
    assert "`reply` is not isolated: 1 tie holds it (group network)." in text
    assert "13 |     res.send(err || template(count, data));\n   |     ^^^ " in text
    assert "  ::: server.js:10:35\n" in text
    assert "`res` declared here, a parameter of `handler`" in text
    assert "  context: {count, template}\n" in text


def test_merge_and_unknown_ties_of_gifsockets() -> None:
    """The dispatcher is held by the merge, shown on the write into req and the call of next;
    the external handler is held by the unknown rule."""
    text = _text("paper-gifsockets")
    assert "tie[merge]: `express_dispatcher` merges the changes streamed by" in text
    assert "13 |       req.body = buffer;\n   |       ^^^^^^^^\n" in text
    assert "`anonymous_12` writes `req.body`, now streamed to `express_dispatcher`" in text
    assert "14 |       next();\n   |       ----\n" in text
    assert "`anonymous_12` calls `next`, now a stream to `express_dispatcher`" in text
    assert "tie[unknown]: `writeTextToImages` is code from" in text
    assert "registered here with `app.post`" in text
    assert "`anonymous_12` is isolated" in text
    assert "note: `anonymous_12` writes `req.body` into the Express request" in text


def test_summary_table_is_aligned() -> None:
    """The table lists each fluxion with isolated, group, ties and first reason, aligned."""
    table = _text("figure5").split("\n\n")[0].splitlines()
    assert table == [
        "fluxion  isolated  group           ties  first reason",
        "main     no        network         1     receives the requests",
        "onReq    yes       -               0     -",
        "add      no        grp_c           1     shares `c` with `end`",
        "end      no        network, grp_c  2     shares `c` with `add`",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_text_fits_80_columns(name: str) -> None:
    """Every line of the full explanation fits an 80-column terminal."""
    for line in _text(name).splitlines():
        assert len(line) <= WIDTH, line


def test_a_long_code_line_is_cut_around_the_culprit() -> None:
    """A code line wider than the terminal is shown as a window that keeps the caret on it."""
    source = "var c = 0;\n" + "x(" + "a, " * 40 + "c);\n"
    b = TraceBuilder(source)
    top = b.toplevel()
    one = b.function("one", line=2)
    two = b.function("two", line=3)
    b.start("app.get", top, one)
    b.post("setImmediate", one, two)
    column = source.splitlines()[1].index("c)")
    b.effect(one, "read", "c", owner=top, declared=(1, 4), at=(2, column))
    b.effect(two, "write", "c", owner=top, declared=(1, 4), at=(2, column))
    text = render_text(explain(b.trace(), "one"), summary=False)
    lines = text.splitlines()
    code = next(line for line in lines if line.startswith("2 | "))
    caret = lines[lines.index(code) + 1]
    assert len(code) <= WIDTH and code.startswith("2 | ...")
    assert code[caret.index("^")] == "c"


def test_static_traces_say_nothing_was_observed() -> None:
    """With counts of 0 (a static trace) the note says the source showed it."""
    b = TraceBuilder()
    top = b.toplevel(end=10)
    one = b.function("one", line=2)
    two = b.function("two", line=3)
    b.start("app.get", top, one)
    b.start("app.get", top, two)
    for fn in (one, two):
        b.effect(fn, "write", "n", owner=top, declared=(1, 4), count=0)
    text = render_text(explain(b.trace(), "one"), summary=False)
    assert "found in the source by the static analysis, not observed at run time" in text


def test_an_unknown_fluxion_lists_the_valid_names() -> None:
    """Asking for a fluxion that does not exist is status 2 with the valid names."""
    with pytest.raises(JitfluxError) as caught:
        explain(load_fixture("figure5"), "nope")
    assert caught.value.status == 2
    assert caught.value.message == "no fluxion named 'nope'; valid names: main, onReq, add, end"


def test_json_holds_the_ties_with_their_proof() -> None:
    """The JSON form has the documented keys: labels, observations, notes and help."""
    data = json.loads(render_json(explain(load_fixture("figure5"), "end")))
    assert data["format"] == "jitflux.explain/1"
    (end,) = data["fluxions"]
    assert (end["name"], end["isolated"], end["tags"]) == ("end", False, ["network", "grp_c"])
    assert end["receives"] == [{"from": "add", "type": "post", "message": ["res", "v"]}]
    share = end["ties"][0]
    assert (share["rule"], share["tag"], share["name"], share["fluxions"]) == (
        "share",
        "grp_c",
        "c",
        ["add"],
    )
    assert share["labels"][0] == {
        "file": "server.js",
        "line": 13,
        "column": 6,
        "text": "`end` writes `c`",
        "primary": True,
    }
    assert share["observed"][0] == {"fluxion": "end", "count": 2, "request": "r1"}
    assert share["help"].startswith("pass the value downstream")
    assert to_dict(explain(load_fixture("figure5"), "end")) == data


def test_an_eval_is_shown_where_it_runs_with_its_reason() -> None:
    """An unknown effect points at the eval call, says why, and suggests ordinary code."""
    source = "var base = 1;\napp.get('/', function evaluate(req, res) {\n  eval('base');\n});\n"
    b = TraceBuilder(source)
    top = b.toplevel()
    evaluate = b.function("evaluate", line=2, column=13)
    b.start("app.get", top, evaluate)
    b.effect(evaluate, "unknown", "eval", owner=None, at=(3, 2), reason="eval reads any variable")
    text = render_text(explain(b.trace(), "evaluate"), summary=False)
    assert "tie[unknown]: `evaluate` runs `eval`, whose effects cannot be known (eval reads" in text
    assert (
        " --> server.js:3:2\n  |\n3 |   eval('base');\n  |   ^^^^ `evaluate` runs `eval`\n" in text
    )
    assert "= help: replace `eval` by ordinary code" in text
    assert "starts here" not in text


def test_the_merge_tie_names_the_network_group() -> None:
    """The dispatcher's merge tie lists the other fluxions of main's network group."""
    data = to_dict(explain(load_fixture("paper-gifsockets"), "express_dispatcher"))
    (merge,) = data["fluxions"][0]["ties"]
    assert (merge["rule"], merge["tag"]) == ("merge", "network")
    assert merge["fluxions"] == ["main", "saveBody", "writeTextToImages"]
    assert [label["text"] for label in merge["labels"]] == [
        "`anonymous_12` writes `req.body`, now streamed to `express_dispatcher`",
        "`anonymous_12` calls `next`, now a stream to `express_dispatcher`",
    ]


def _big_group(writers: int):
    """`writers` routes that each write the module variable `total` (one share group)."""
    source = "var total = 0;\n" + "".join(f"  total += {i};\n" for i in range(writers))
    b = TraceBuilder(source)
    top = b.toplevel()
    for i in range(writers):
        route = b.function(f"route_{i}", line=2 + i)
        b.start("app.get", top, route)
        b.effect(route, "write", "total", owner=top, declared=(1, 4), at=(2 + i, 2), count=i + 1)
    return b.trace()


def test_a_big_group_lists_the_first_members_then_a_count() -> None:
    """Of 14 writers, route_5 is told of 10 others, 10 locations and 10 observations, + counts."""
    reports = explain(_big_group(14), "route_5")
    (tie,) = to_dict(reports)["fluxions"][0]["ties"]
    assert tie["fluxions"] == [f"route_{i}" for i in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10)]
    assert tie["more"] == {"fluxions": 3, "labels": 4, "observed": 4}
    assert tie["labels"][0]["text"] == "`route_5` writes `total`"
    # Its own observation first, then the others by name.
    assert [o["fluxion"] for o in tie["observed"]] == [
        f"route_{i}" for i in (5, 0, 1, 10, 11, 12, 13, 2, 3, 4)
    ]
    text = render_text(reports, summary=False)
    assert "\n  ... and 4 more locations\n" in text
    words = " ".join(text.split())
    assert "`route_9` and 4 more, and `total` sits in each of their contexts" in words
    assert "5 times in `route_4` (e.g. request r1); and in 4 more fluxions" in words


def test_a_group_within_the_limit_is_listed_whole() -> None:
    """With 11 writers every other member is listed and the JSON has no `more`."""
    data = to_dict(explain(_big_group(11), "route_0"))
    (tie,) = data["fluxions"][0]["ties"]
    assert tie["fluxions"] == [f"route_{i}" for i in range(1, 11)]
    assert len(tie["labels"]) == 10 and tie["more"] == {"fluxions": 0, "labels": 1, "observed": 1}
    small = to_dict(explain(load_fixture("paper-gifsockets")))
    assert not any("more" in t for f in small["fluxions"] for t in f["ties"])


def test_wrapping_matches_textwrap_without_breaking_quoted_spans() -> None:
    """The fast wrapper gives textwrap's lines for every reason, note and help of the
    examples, at several indents, and never cuts a `quoted` span."""
    import re
    import textwrap

    from jitflux.explain.text import _wrap

    def reference(text: str, first: str, rest: str) -> list[str]:
        kept = re.sub(r"`[^`\n]*`", lambda m: m.group(0).replace(" ", "\0"), text)
        lines = textwrap.wrap(
            kept,
            width=WIDTH,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first.rstrip()]
        return [line.replace("\0", " ") for line in lines]

    texts = []
    for name in NAMES:
        for report in explain(load_fixture(name)):
            texts += list(report.notes)
            for tie in report.ties:
                texts += [tie.reason, *tie.notes, tie.help or ""]
    assert len(texts) > 20
    for text in texts:
        for first, rest in (("", ""), ("  ", "        "), ("   = note: ", " " * 11)):
            assert _wrap(text, first, rest) == reference(text, first, rest), text

"""Tests of jitflux.words: the sentences made from the analysis' facts."""

from typing import get_args

from jitflux.analysis import analyze
from jitflux.analysis.findings import ShareCase
from jitflux.trace import Function
from jitflux.words import function_label, help_text, names, reason
from jitflux.words.reasons import _SHARE
from tests.fixtures import load_fixture


def test_a_function_is_labelled_one_way() -> None:
    """A named function by its name, an anonymous one as <anonymous FILE:LINE>, or by its id
    when it has no place."""
    assert function_label(Function("f1", "reply", "server.js", 6, 30)) == "reply"
    assert function_label(Function("f2", "", "server.js", 12, 4)) == "<anonymous server.js:12>"
    assert function_label(Function("f3", "", "", 1, 0, kind="external")) == "<anonymous f3>"


def test_a_list_of_names_is_cut_after_the_first_ones() -> None:
    """`a`, `b` and `c`; past `shown`, the first ones and "and N more"."""
    assert names(("a",)) == "`a`"
    assert names(("a", "b", "c")) == "`a`, `b` and `c`"
    assert names(tuple(f"n{i}" for i in range(13)), 10).endswith("`n9` and 3 more")
    assert names(("a", "b"), more=5) == "`a`, `b` and 5 more"


def test_every_share_case_has_its_reason_and_its_help() -> None:
    """Each share case of the analysis has words of its own, naming both fluxions."""
    assert set(_SHARE) == set(get_args(ShareCase))
    texts = [text for pair in _SHARE.values() for text in pair]
    assert len(set(texts)) == len(texts)
    assert all("{n}" in reason_text for reason_text, _ in _SHARE.values())


def test_every_finding_of_the_examples_has_a_reason_naming_its_subject() -> None:
    """The reason of each finding names what it is about, and every tie has a help."""
    for name in ("paper-counter", "paper-gifsockets", "figure5"):
        analysis = analyze(load_fixture(name))
        for finding in analysis.findings:
            text = reason(finding, analysis.stream_type)
            about = finding.name if finding.case not in ("server", "dispatcher") else "`"
            assert about.split(",")[0] in text, (finding.id, text)
            if finding.tag is not None:
                assert help_text(finding), finding.id

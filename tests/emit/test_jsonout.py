"""Tests of jitflux.emit.jsonout: the jitflux.fluxions/1 contract of DESIGN.md."""

import json

import jsonschema

from jitflux.emit import render
from tests.fixtures import load_fixture

LOCATION = {
    "type": ["object", "null"],
    "required": ["file", "line", "column"],
    "properties": {
        "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 0},
    },
}
# DESIGN.md's contract: these keys with these types (more keys are allowed).
CONTRACT = {
    "type": "object",
    "required": ["format", "fluxions", "variables"],
    "properties": {
        "format": {"const": "jitflux.fluxions/1"},
        "fluxions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "tags", "context", "streams", "origin", "isolated"],
                "properties": {
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "context": {"type": "array", "items": {"type": "string"}},
                    "streams": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["type", "to", "message"],
                            "properties": {
                                "type": {"enum": ["start", "post"]},
                                "to": {"type": "array", "items": {"type": "string"}},
                                "message": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                    "origin": LOCATION,
                    "isolated": {"type": "boolean"},
                },
            },
        },
        "variables": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "declared", "rule", "fluxions"],
                "properties": {
                    "name": {"type": "string"},
                    "declared": LOCATION,
                    "rule": {"enum": ["scope", "stream", "share"]},
                    "fluxions": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}


def _json(name: str) -> dict:
    return json.loads(render(load_fixture(name), "json"))


def test_every_example_keeps_the_contract() -> None:
    """The JSON of each example validates against DESIGN.md's contract."""
    for name in ("paper-counter", "paper-gifsockets", "figure5"):
        jsonschema.validate(_json(name), CONTRACT)


def test_paper_counter_reply_as_in_design() -> None:
    """reply: network tag, {count, template}, -> null, origin at its function, not isolated."""
    data = _json("paper-counter")
    reply = next(f for f in data["fluxions"] if f["name"] == "reply")
    assert reply["tags"] == ["network"]
    assert reply["context"] == ["count", "template"]
    assert reply["streams"] == [{"type": "post", "to": ["null"], "message": []}]
    assert reply["origin"] == {"file": "server.js", "line": 11, "column": 26}
    assert reply["isolated"] is False
    assert reply["reasons"] and "`res`" in reply["reasons"][0]
    count = next(v for v in data["variables"] if v["name"] == "count")
    assert {k: count[k] for k in ("name", "declared", "rule", "fluxions")} == {
        "name": "count",
        "declared": {"file": "server.js", "line": 4, "column": 2},
        "rule": "scope",
        "fluxions": ["reply"],
    }
    placement = count["placement"]
    assert (placement["rule"], placement["case"]) == ("scope", "owned")
    assert (placement["writer"], placement["reader"]) == ("reply", None)
    assert {e["fluxion"] for e in placement["evidence"]} == {"reply"}
    assert count["reason"].startswith("`count` is changed only by `reply`")


def test_figure5_c_is_shared_because_add_reads_it_upstream_of_end() -> None:
    """The facts say what the words say: c is shared, add reads it upstream of end, which
    writes it; each of the two has a share tie with the other, pointing at its own use."""
    data = _json("figure5")
    trace = load_fixture("figure5")
    c = next(v for v in data["variables"] if v["name"] == "c")
    assert {k: c["placement"][k] for k in ("rule", "case", "writer", "reader")} == {
        "rule": "share",
        "case": "upstream",
        "writer": "end",
        "reader": "add",
    }
    for item in c["placement"]["evidence"]:
        effect = trace.effects[int(item["effect"][1:])]
        assert (effect.target, item["target"]) == ("c", "c")
    fluxions = {f["name"]: f for f in data["fluxions"]}
    for name, other in (("add", "end"), ("end", "add")):
        (tie,) = [t for t in fluxions[name]["ties"] if t["rule"] == "share"]
        assert (tie["variable"], tie["with"], tie["case"]) == ("c", [other], "upstream")
        assert {e["fluxion"] for e in tie["evidence"]} == {name}
        assert tie["at"] == tie["evidence"][0]["at"]


def test_express_dispatcher_has_no_origin() -> None:
    """The added express_dispatcher has origin null and the network tag."""
    data = _json("paper-gifsockets")
    dispatcher = data["fluxions"][-1]
    assert dispatcher["name"] == "express_dispatcher"
    assert dispatcher["origin"] is None and dispatcher["function"] is None
    assert dispatcher["tags"] == ["network"] and dispatcher["isolated"] is False

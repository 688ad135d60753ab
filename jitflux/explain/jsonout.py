"""explain's JSON: the `jitflux.explain/1` object (jitflux/schemas/explain.schema.json).

    {
      "format": "jitflux.explain/1",
      "fluxions": [
        {
          "name": "reply", "isolated": false, "tags": ["network"],
          "context": ["count", "template"],
          "origin": {"file": "server.js", "line": 11, "column": 26},   # null if none
          "receives": [{"from": "handler", "type": "post", "message": ["res"]}],
          "sends": [{"to": "null", "type": "post", "message": []}],
          "ties": [
            {
              "rule": "network",           # share | network | merge | unknown
              "tag": "network",            # the group it puts the fluxion in
              "what": "network",           # variable | path | closure | network | unknown
                                           # | merge
              "name": "res",               # the variable, path, effect or fluxion at stake
              "fluxions": ["main"],        # the other fluxions of that group
              "finding": "network2", "case": "socket", "variable": "res",
              "with": ["main"], "at": {...}, "evidence": [EVIDENCE],   # the facts, as in
              "placement": PLACEMENT | null,                           # emit's JSON
              "reason": "...",             # the headline, one sentence
              "summary": "...",            # a few words, as in the summary table
              "labels": [{"file", "line", "column", "text", "primary"}],   # primary first
              "observed": [{"fluxion": "reply", "count": 3, "request": "r1"}],
              "notes": ["..."],
              "help": "...",               # the change that would free it, or null
              "more": {"fluxions": 0, "labels": 1990, "observed": 1990}
                                           # only when a list above was cut
            }
          ],
          "placements": [{"variable": "count", "placement": PLACEMENT}],
                                           # the variables it holds or passes on, with only
                                           # this fluxion's evidence
          "notes": ["..."]                 # scope, stream and merge facts about it, in words
        }
      ]
    }

PLACEMENT and EVIDENCE are those of `jitflux emit --format json`.
"""

from __future__ import annotations

from typing import Any

from jitflux.analysis import Placement, Use
from jitflux.emit.jsonout import dumps_by_item, evidence_json, location_json, placement_json
from jitflux.explain.report import Report, Tie
from jitflux.words import NO_STREAM

FORMAT = "jitflux.explain/1"


def render_json(reports: list[Report]) -> str:
    """The reports as the JSON object documented in this module."""
    return dumps_by_item(to_dict(reports))


def to_dict(reports: list[Report]) -> dict[str, Any]:
    """The JSON object of the reports."""
    own = _OwnEvidence()
    return {"format": FORMAT, "fluxions": [_report(r, own) for r in reports]}


class _OwnEvidence:
    """The evidence of each placement by fluxion, grouped once per placement: each member of
    a shared variable's group shows only its own uses."""

    def __init__(self) -> None:
        self.groups: dict[int, dict[str, list[Use]]] = {}

    def placement(self, placement: Placement | None, fluxion: str) -> Any:
        if placement is None:
            return None
        groups = self.groups.get(id(placement))
        if groups is None:
            groups = self.groups[id(placement)] = {}
            for use in placement.evidence:
                groups.setdefault(use.fluxion, []).append(use)
        return placement_json(placement, groups.get(fluxion, []))


def _report(report: Report, own: _OwnEvidence) -> dict[str, Any]:
    return {
        "name": report.name,
        "isolated": report.isolated,
        "tags": list(report.tags),
        "context": list(report.context),
        "origin": location_json(report.origin),
        "receives": [
            {"from": src, "type": kind, "message": list(msg)} for src, kind, msg in report.receives
        ],
        "sends": [
            {"to": to or NO_STREAM, "type": kind, "message": list(msg)}
            for to, kind, msg in report.sends
        ],
        "ties": [_tie(report.name, tie, own) for tie in report.ties],
        "placements": [
            {"variable": name, "placement": own.placement(placement, report.name)}
            for name, placement in report.placements
        ],
        "notes": list(report.notes),
    }


def _tie(name: str, tie: Tie, own: _OwnEvidence) -> dict[str, Any]:
    facts = tie.facts
    out = {
        "rule": tie.rule,
        "tag": tie.tag,
        "what": tie.what,
        "name": tie.name,
        "fluxions": list(tie.others),
        "finding": facts.finding,
        "case": facts.case,
        "variable": facts.variable,
        "with": list(facts.with_),
        "at": location_json(facts.at),
        "evidence": [evidence_json(use) for use in facts.evidence],
        "placement": own.placement(tie.placement, name),
        "reason": tie.reason,
        "summary": tie.summary,
        "labels": [
            {
                **(location_json(label.location) or {}),
                "text": label.text,
                "primary": label.primary,
            }
            for label in tie.labels
        ],
        "observed": [
            {"fluxion": o.fluxion, "count": o.count, "request": o.request} for o in tie.observed
        ],
        "notes": list(tie.notes),
        "help": tie.help,
    }
    more = {"fluxions": tie.more_others, "labels": tie.more_labels, "observed": tie.more_observed}
    if any(more.values()):
        out["more"] = more
    return out

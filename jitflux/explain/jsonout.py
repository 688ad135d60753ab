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

import json
from typing import Any

from jitflux.emit.jsonout import evidence_json, location_json, placement_json
from jitflux.explain.report import Report, Tie
from jitflux.words import NO_STREAM

FORMAT = "jitflux.explain/1"


def render_json(reports: list[Report]) -> str:
    """The reports as the JSON object documented in this module."""
    return json.dumps(to_dict(reports), indent=2, ensure_ascii=False) + "\n"


def to_dict(reports: list[Report]) -> dict[str, Any]:
    """The JSON object of the reports."""
    return {"format": FORMAT, "fluxions": [_report(r) for r in reports]}


def _report(report: Report) -> dict[str, Any]:
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
        "ties": [_tie(report.name, tie) for tie in report.ties],
        "placements": [
            {"variable": name, "placement": placement_json(placement, report.name)}
            for name, placement in report.placements
        ],
        "notes": list(report.notes),
    }


def _tie(name: str, tie: Tie) -> dict[str, Any]:
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
        "placement": placement_json(tie.placement, name),
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

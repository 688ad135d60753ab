"""Tests of jitflux.schemas: each output format has a shipped schema that rejects bad output."""

import json

import jsonschema
import pytest

from jitflux.emit import render
from jitflux.schemas import FILES, schema, validate
from tests.fixtures import load_fixture


def test_every_output_format_has_a_schema() -> None:
    """fluxions, explain and compare each have a Draft 2020-12 schema in the package."""
    for fmt in FILES:
        jsonschema.Draft202012Validator.check_schema(schema(fmt))


def test_a_tie_without_its_facts_is_rejected() -> None:
    """An emit document whose tie lost its `with` key fails validation."""
    document = json.loads(render(load_fixture("figure5"), "json"))
    validate(document)
    tie = next(t for f in document["fluxions"] for t in f["ties"])
    del tie["with"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_an_unknown_placement_case_is_rejected() -> None:
    """A placement case outside the documented ones fails validation."""
    document = json.loads(render(load_fixture("figure5"), "json"))
    document["variables"][0]["placement"]["case"] = "because"
    with pytest.raises(jsonschema.ValidationError):
        validate(document)

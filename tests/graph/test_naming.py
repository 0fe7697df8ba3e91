"""Which relations the types at their two ends allow (apps.graph.extraction.naming.fits)."""

from __future__ import annotations

import pytest

from apps.graph.extraction.naming import fits


@pytest.mark.parametrize("name", ["WORKS_AT", "WORKED_AT", "BORN_IN", "LIVES_IN", "MARRIED_TO", "STUDIED_AT"])
def test_an_organisation_has_no_person_s_relations(name):
    target = {"BORN_IN": "Location", "LIVES_IN": "Location", "MARRIED_TO": "Person"}.get(name, "Organization")

    assert not fits(name, "Organization", target)
    assert fits(name, "Person", target)
    assert fits(name, "Entity", target)  # a name of unknown kind may be a person


@pytest.mark.parametrize(("name", "target"), [("MOVED_TO", "Location"), ("MOVED_FROM", "Location"), ("LEADS", None)])
def test_an_organisation_moves_and_leads(name, target):
    # "moved its headquarters from Denver to Dallas"
    assert fits(name, "Organization", target or "Organization")

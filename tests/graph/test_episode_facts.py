"""What one ingested memory leaves in the graph when it states a past and a present fact of one kind."""

from __future__ import annotations

from apps.graph.models import Relationship


def test_it_keeps_a_current_job_open_beside_a_past_one(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)

    ingest(project, owner, content="Carlos Mendes is a product manager at Revolut. He used to work for Google.")

    facts = {
        (r.source.name, r.name, r.target.name): r.invalid_at
        for r in Relationship.objects.filter(project=project).select_related("source", "target")
    }
    # WORKS_AT is exclusive: had the past job been WORKS_AT too, it would have closed the current one.
    assert facts == {
        ("Carlos Mendes", "WORKS_AT", "Revolut"): None,
        ("Carlos Mendes", "WORKED_AT", "Google"): None,
    }

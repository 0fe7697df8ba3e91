"""Facts follow their own time: the final graph does not depend on the order memories arrive in."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from apps.graph import services as graph
from apps.graph.models import EdgeType, Relationship
from apps.memories.models import Memory, content_hash
from tests.graph.test_episodes import reporter_for

ACME = ("Alice Chen works at Acme Corp.", datetime(2021, 3, 1, tzinfo=UTC))
GLOBEX = ("Alice Chen works at Globex.", datetime(2023, 6, 1, tzinfo=UTC))
INITECH = ("Alice Chen works at Initech.", datetime(2024, 9, 1, tzinfo=UTC))


def ingest(project, note: tuple[str, datetime]) -> Memory:
    content, valid_at = note
    memory = Memory.objects.create(
        project=project, title=content[:20], content=content, content_hash=content_hash(content), valid_at=valid_at
    )
    episode = graph.Episode(memory_id=memory.id, text=content, content_type="text", valid_at=valid_at)
    graph.episode_ingest(project=project, episode=episode, reporter=reporter_for(project))
    return memory


def timeline(project) -> list[tuple]:
    """Alice's employers as a user reads them: where, from when, until when, closed by which."""
    return sorted(
        Relationship.objects.filter(project=project, name="WORKS_AT").values_list(
            "target__name", "valid_at", "invalid_at", "invalidated_by__target__name"
        )
    )


EXPECTED = [
    ("Acme Corp", ACME[1], GLOBEX[1], "Globex"),
    ("Globex", GLOBEX[1], INITECH[1], "Initech"),
    ("Initech", INITECH[1], None, None),
]


def test_it_gives_the_same_facts_in_any_arrival_order(make_project):
    orders = {
        "oldest first": [ACME, GLOBEX, INITECH],
        "newest first": [INITECH, GLOBEX, ACME],
        "middle last": [INITECH, ACME, GLOBEX],
    }
    for label, notes in orders.items():
        project = make_project(name=label)
        for note in notes:
            ingest(project, note)
        assert timeline(project) == EXPECTED, label


def test_it_stores_an_older_fact_arriving_late_as_closed(make_project):
    project = make_project()
    ingest(project, GLOBEX)
    ingest(project, ACME)
    current = Relationship.objects.filter(project=project, name="WORKS_AT", invalid_at__isnull=True)
    assert list(current.values_list("target__name", flat=True)) == ["Globex"]
    assert timeline(project)[0] == ("Acme Corp", ACME[1], GLOBEX[1], "Globex")


def test_it_reopens_the_older_fact_when_the_newer_memory_is_removed(make_project):
    project = make_project()
    ingest(project, ACME)
    newer = ingest(project, GLOBEX)
    graph.episode_remove(project=project, episode_id=newer.id)
    assert timeline(project) == [("Acme Corp", ACME[1], None, None)]


def test_it_follows_the_schemas_exclusive_flag(make_project):
    project = make_project()
    ingest(project, ACME)
    EdgeType.objects.filter(project=project, name="WORKS_AT").update(exclusive=False)
    ingest(project, GLOBEX)
    # Not exclusive: both hold.
    assert [row[2] for row in timeline(project)] == [None, None]


def test_it_shows_when_each_fact_holds_on_the_memory_page(client, team):
    project = team["project"]
    older = ingest(project, ACME)
    ingest(project, GLOBEX)
    client.force_login(team["editor"])
    page = client.get(reverse("memories:detail", args=[project.id, older.id])).content.decode()
    assert "since 2021-03-01" in page
    assert "no longer true since 2023-06-01" in page

"""Entity resolution's prefilter in the database (pg_trgm): the few entities a name might be, on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.graph.models import Entity, EntityType
from apps.graph.resolution import normalize_name
from apps.graph.services.episodes import entity_candidates
from apps.graph.services.schema import ensure_default_types

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def entities(project, names: list[str]) -> None:
    ensure_default_types(project)
    person = EntityType.objects.get(project=project, name="Person")
    Entity.objects.bulk_create(
        Entity(project=project, name=name, normalized_name=normalize_name(name), entity_type=person,
               first_seen_at=WHEN, last_seen_at=WHEN)
        for name in names
    )  # fmt: skip


def names(found: dict[str, list[Entity]]) -> dict[str, set[str]]:
    return {key: {entity.name for entity in entities} for key, entities in found.items()}


def test_it_finds_the_same_and_the_similar_names_only(team, make_project):
    project = team["project"]
    entities(
        project, ["Acme Corporation", "Alice Chen", "ACME Corp.", "Zoltan Brandt", *[f"Person {n}" for n in range(300)]]
    )
    entities(make_project(name="Other"), ["Alice Chen"])  # another project's

    with CaptureQueriesContext(connection) as queries:
        found = entity_candidates(project, ["Acme Corporaton", "Alice Cheng"])

    assert len(queries) == 2  # which entities each name is like, then those entities
    # Each name gets the entities it is like, by its normalised name ("acme" for both Acmes).
    assert names(found) == {"acme corporaton": {"Acme Corporation", "ACME Corp."}, "alice cheng": {"Alice Chen"}}
    assert {entity.project_id for entities in found.values() for entity in entities} == {project.id}


def test_it_asks_the_same_two_statements_for_many_names(team):
    entities(team["project"], [f"Person {n}" for n in range(100)])
    with CaptureQueriesContext(connection) as queries:
        found = entity_candidates(team["project"], [f"Person {n}" for n in range(0, 100, 3)])
    assert len(queries) == 2
    assert all(f"Person {n}" in {e.name for e in found[f"person {n}"]} for n in range(0, 100, 3))


def test_an_entity_two_names_are_like_is_one_object(team):
    entities(team["project"], ["Alice Chen"])
    found = entity_candidates(team["project"], ["Alice Cheng", "alice chen"])
    assert found["alice cheng"][0] is found["alice chen"][0]


def test_the_database_answers_each_name_from_the_indexes_in_a_large_project(team):
    # Thousands of entities, so that reading the project's rows is the plan to avoid.
    entities(team["project"], ["Alice Chen", *(f"Person {n}" for n in range(5000))])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE graph_entity")
    with CaptureQueriesContext(connection) as queries:
        entity_candidates(team["project"], ["Alice Cheng", "Bob Stone"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")  # the statement as it was sent, its values in it
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "graph_entity_name_trgm" in plan, plan


def test_it_asks_nothing_for_no_names(team):
    with CaptureQueriesContext(connection) as queries:
        assert entity_candidates(team["project"], ["", "  "]) == {}
    assert len(queries) == 0

"""episodes_write: many episodes under one graph lock, the schema read once and carried between them."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.graph import services as graph
from apps.graph.extraction.types import ExtractedEntity, ExtractedRelationship, Extraction
from apps.graph.models import Entity, EntityType, Mention, Relationship
from apps.graph.services import entity_merge, episodes
from apps.graph.services.episodes import episodes_new
from tests.graph.test_episodes import episode_of


def test_a_type_made_by_an_episode_that_failed_is_made_again_by_the_next(make_user, make_project):
    project = make_project(make_user())
    kept, failed, later = (episode_of(project, text) for text in ("Alice.", "Zed.", "Nova."))
    batch = [
        (kept, Extraction(entities=[ExtractedEntity("Alice", "Person")])),
        # Its new type is written, then its entity's name is too long for the column: the savepoint goes.
        (failed, Extraction(entities=[ExtractedEntity("Z" * 300, "Spaceship")])),
        (later, Extraction(entities=[ExtractedEntity("Nova", "Spaceship")])),
    ]
    with transaction.atomic():
        outcomes = graph.episodes_write(project=project, batch=batch)

    assert isinstance(outcomes[failed.memory_id], Exception)
    assert outcomes[kept.memory_id].entities == 1
    assert outcomes[later.memory_id].new_entity_types == 1  # Spaceship again: the failed episode's went with it
    assert EntityType.objects.filter(project=project, name="Spaceship").count() == 1
    assert Entity.objects.get(project=project, name="Nova").entity_type.name == "Spaceship"
    assert not Entity.objects.filter(project=project, name__startswith="ZZZ").exists()


def test_types_an_earlier_episode_made_are_not_made_twice(make_user, make_project):
    project = make_project(make_user())
    first, second = (episode_of(project, text) for text in ("Nova one.", "Nova two."))
    batch = [
        (first, Extraction(entities=[ExtractedEntity("Nova", "Spaceship"), ExtractedEntity("Vega", "Spaceship")],
                           relationships=[ExtractedRelationship("Nova", "Vega", "DOCKS_WITH", "Nova one.")])),
        (second, Extraction(entities=[ExtractedEntity("Orion", "Spaceship"), ExtractedEntity("Lyra", "Spaceship")],
                            relationships=[ExtractedRelationship("Orion", "Lyra", "DOCKS_WITH", "Nova two.")])),
    ]  # fmt: skip
    with transaction.atomic():
        outcomes = graph.episodes_write(project=project, batch=batch)
    assert (outcomes[first.memory_id].new_entity_types, outcomes[first.memory_id].new_edge_types) == (1, 1)
    assert (outcomes[second.memory_id].new_entity_types, outcomes[second.memory_id].new_edge_types) == (0, 0)
    assert project.edge_type_maps.filter(edge_type__name="DOCKS_WITH").count() == 1


def _works_at(person: str, org: str) -> Extraction:
    return Extraction(
        entities=[ExtractedEntity(person, "Person"), ExtractedEntity(org, "Organization")],
        relationships=[ExtractedRelationship(person, org, "WORKS_AT", f"{person} works at {org}.")],
    )


def test_an_episode_written_before_is_replaced_and_only_the_new_ones_skip_reading_it(make_user, make_project):
    project = make_project(make_user())
    reread, fresh = (episode_of(project, text) for text in ("Alice works at Acme.", "Bob works at Initech."))
    with transaction.atomic():
        graph.episodes_write(project=project, batch=[(reread, _works_at("Alice", "Acme"))])
    assert episodes_new([reread.memory_id, fresh.memory_id]) == {fresh.memory_id}

    with transaction.atomic():
        graph.episodes_write(
            project=project, batch=[(reread, _works_at("Alice", "Hooli")), (fresh, _works_at("Bob", "Initech"))]
        )

    # What the re-read episode said before is gone with it: Acme, named by nothing now, and its fact.
    assert set(Entity.objects.filter(project=project).values_list("name", flat=True)) == {
        "Alice", "Hooli", "Bob", "Initech",
    }  # fmt: skip
    assert set(Relationship.objects.filter(project=project).values_list("source__name", "target__name")) == {
        ("Alice", "Hooli"), ("Bob", "Initech"),
    }  # fmt: skip
    assert episodes_new([reread.memory_id, fresh.memory_id]) == set()


def test_aliases_read_once_for_a_batch_lead_to_the_merged_entity_and_survive_its_deletion(make_user, make_project):
    project = make_project(make_user())
    first, second, third = (episode_of(project, f"Note {n}.") for n in (1, 2, 3))
    with transaction.atomic():
        graph.episodes_write(
            project=project, batch=[(first, _works_at("Al Chen", "Acme")), (second, _works_at("Alice", "Acme"))]
        )
    entity_merge(project=project, keep=Entity.objects.get(name="Alice"), merge=Entity.objects.get(name="Al Chen"))

    with transaction.atomic():
        graph.episodes_write(project=project, batch=[(third, _works_at("Al Chen", "Hooli"))])
    assert Relationship.objects.get(project=project, target__name="Hooli").source.name == "Alice"  # by its alias

    fourth = episode_of(project, "Note 4.")
    with transaction.atomic():
        outcomes = graph.episodes_write(
            project=project,
            batch=[
                # Re-read, none of them names Alice: she goes, and her alias with her.
                *((episode, _works_at("Bob", "Acme")) for episode in (first, second, third)),
                (fourth, _works_at("Al Chen", "Initech")),  # the alias the batch read is of a deleted entity
            ],
        )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values())
    assert set(Relationship.objects.filter(project=project).values_list("source__name", "target__name")) == {
        ("Bob", "Acme"), ("Al Chen", "Initech"),
    }  # fmt: skip


def test_types_decided_by_how_many_memories_give_them_as_if_written_one_batch_each(make_user, make_project):
    def hooli(project, types: list[str], *, together: bool) -> str:
        pairs = [
            (
                episode_of(project, f"Hooli, {type_name} note {n}."),
                Extraction(entities=[ExtractedEntity("Hooli", type_name)]),
            )
            for n, type_name in enumerate(types)
        ]
        for batch in [pairs] if together else [[pair] for pair in pairs]:
            with transaction.atomic():
                graph.episodes_write(project=project, batch=batch)
        return Entity.objects.get(project=project, name="Hooli").entity_type.name

    owner = make_user()
    one_each, together = make_project(owner), make_project(owner)
    assert hooli(one_each, ["Organization"] * 2, together=False) == "Organization"
    assert hooli(together, ["Organization"] * 2, together=False) == "Organization"
    # Three more memories call it a place: counted as they come, the third outnumbers the two before.
    assert hooli(one_each, ["Location"] * 3, together=False) == "Location"
    assert hooli(together, ["Location"] * 3, together=True) == "Location"


def test_a_batch_reads_what_its_names_might_be_once_and_sees_the_entities_it_makes(make_user, make_project):
    project = make_project(make_user())
    earlier, *batch = (episode_of(project, f"Note {n}.") for n in range(4))
    with transaction.atomic():
        graph.episodes_write(project=project, batch=[(earlier, _works_at("Zoe", "Acme Corporation"))])

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        outcomes = graph.episodes_write(
            project=project,
            batch=list(zip(batch, [_works_at("Alice Chen", "Acme Corp"), _works_at("Alice Cheng", "Hooli"),
                                   _works_at("Bob", "ACME")], strict=True)),
        )  # fmt: skip

    assert not any(isinstance(outcome, Exception) for outcome in outcomes.values())
    if connection.vendor == "postgresql":  # (SQLite reads every entity, also once)
        assert sum("unnest" in query["sql"] for query in queries) == 1
    # The second episode's "Alice Cheng" is the Alice Chen the first one made, in the same batch.
    assert sorted(Entity.objects.filter(project=project).values_list("name", flat=True)) == [
        "Acme Corporation", "Alice Chen", "Bob", "Hooli", "Zoe",
    ]  # fmt: skip
    assert Relationship.objects.get(project=project, target__name="Hooli").source.name == "Alice Chen"


def test_after_an_episode_fails_the_next_ones_do_not_take_the_entities_it_made(make_user, make_project, monkeypatch):
    project = make_project(make_user())
    kept, failed, later = (episode_of(project, f"Note {n}.") for n in range(3))
    support = episodes._support_relationships

    def failing(project, episode_id, *args):
        if episode_id == failed.memory_id:  # after its entities are made: its savepoint takes Zed back
            raise RuntimeError("The disk is full.")
        return support(project, episode_id, *args)

    monkeypatch.setattr(episodes, "_support_relationships", failing)
    batch = [
        (kept, _works_at("Alice", "Acme")),
        (failed, Extraction(entities=[ExtractedEntity("Zed", "Person", attributes={"ship": "Nova"})])),
        (later, _works_at("Zed", "Acme")),
    ]
    with transaction.atomic():
        outcomes = graph.episodes_write(project=project, batch=batch)

    assert isinstance(outcomes[failed.memory_id], RuntimeError)
    assert not isinstance(outcomes[later.memory_id], Exception)
    connection.check_constraints()  # (PostgreSQL checks foreign keys at commit; this test never commits)
    zed = Entity.objects.get(project=project, name="Zed")
    assert zed.attributes == {}  # nothing of what the failed episode said of him
    assert Mention.objects.get(memory_id=later.memory_id, entity__name="Zed").entity_id == zed.id
    assert not Mention.objects.filter(memory_id=failed.memory_id).exists()


def test_a_batch_places_and_names_its_communities_in_statements_that_do_not_grow_with_them(make_user, make_project):
    def community_statements(count: int) -> int:
        project = make_project(make_user())
        batch = [(episode_of(project, f"Note {n}."), _works_at(f"Person {n}", f"Firm {n}")) for n in range(count)]
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            graph.episodes_write(project=project, batch=batch)
        # Each pair is a community of its own, named after its two members.
        assert sorted(project.communities.values_list("name", "member_count")) == sorted(
            (f"Firm {n} & Person {n}", 2) for n in range(count)
        )
        # (An entity's insert names its community column too: one for each episode that makes entities.)
        return sum(
            "community" in query["sql"] and not query["sql"].startswith('INSERT INTO "graph_entity"')
            for query in queries
        )

    assert community_statements(2) == community_statements(6)

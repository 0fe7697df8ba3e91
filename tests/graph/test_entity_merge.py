"""Merging two entities that are one real thing, by service and from the schema page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.graph.models import Entity, Mention, Relationship
from apps.graph.selectors import entities_named_in
from apps.graph.services import EntityMergeError, entity_merge
from apps.memories.models import Memory, content_hash


@pytest.fixture
def twins(team, make_graph):
    """Acme Robotics stored twice: as an Organization (Alice works there) and as a Location (Bob works there too)."""
    graph = make_graph(team["project"])
    org = graph.entity("Acme Robotics", "Organization", attributes={"industry": "robots"})
    place = graph.entity("Acme Robotics Inc", "Location", attributes={"industry": "ignored", "ticker": "ACR"})
    alice, bob = graph.entity("Alice Chen"), graph.entity("Bob Stone")
    graph.relate(alice, "WORKS_AT", org, fact="Alice Chen works at Acme Robotics.")
    graph.relate(bob, "WORKS_AT", org, fact="Bob Stone works at Acme Robotics.")
    graph.relate(alice, "WORKS_AT", place, fact="Alice works at Acme Robotics Inc.")
    graph.relate(place, "PART_OF", org, fact="Acme Robotics Inc is part of Acme Robotics.")
    # A second memory naming only the Location twin, so mentions have to move.
    text = "Acme Robotics Inc opened an office."
    other = Memory.objects.create(
        project=team["project"],
        title="Later",
        content=text,
        content_hash=content_hash(text),
        processing_status="completed",
    )
    Mention.objects.create(memory=other, entity=place)
    graph.relate(alice, "WORKS_AT", place).episodes.add(other)
    return {"graph": graph, "org": org, "place": place, "alice": alice, "bob": bob, "other": other, **team}


def test_it_folds_one_entity_into_the_other(twins):
    org, place, alice = twins["org"], twins["place"], twins["alice"]

    kept = entity_merge(project=twins["project"], keep=org, merge=place)

    assert kept.pk == org.pk
    assert not Entity.objects.filter(pk=place.pk).exists()
    kept.refresh_from_db()
    assert (kept.name, kept.entity_type.name) == ("Acme Robotics", "Organization")
    assert kept.attributes == {"industry": "robots", "ticker": "ACR"}  # the kept one's values win
    assert set(Mention.objects.filter(entity=kept).values_list("memory_id", flat=True)) == {
        twins["graph"].memory.id,
        twins["other"].id,
    }
    facts = Relationship.objects.filter(project=twins["project"])
    # Alice's two WORKS_AT facts are one now, supported by both memories; the PART_OF loop is gone.
    assert sorted((r.source.name, r.name, r.target.name) for r in facts) == [
        ("Alice Chen", "WORKS_AT", "Acme Robotics"),
        ("Bob Stone", "WORKS_AT", "Acme Robotics"),
    ]
    works = facts.get(source=alice)
    assert set(works.episodes.values_list("id", flat=True)) == {twins["graph"].memory.id, twins["other"].id}


def test_it_refuses_to_merge_an_entity_with_itself(twins):
    with pytest.raises(EntityMergeError, match="two different entities"):
        entity_merge(project=twins["project"], keep=twins["org"], merge=twins["org"])


def test_it_merges_from_the_schema_page(client, twins):
    client.force_login(twins["editor"])
    url = reverse("graph:entity-merge", args=[twins["project"].id])
    assert "Acme Robotics Inc (Location)" in client.get(url).content.decode()

    response = client.post(url, {"keep": twins["org"].id, "merge": twins["place"].id}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("graph:entity", args=[twins["project"].id, twins["org"].id])
    assert "Merged “Acme Robotics Inc” into “Acme Robotics”." in response.content.decode()
    assert not Entity.objects.filter(pk=twins["place"].pk).exists()
    schema = client.get(reverse("graph:schema", args=[twins["project"].id])).content.decode()
    assert url in schema  # the schema page links to it


def test_it_says_what_is_wrong_with_the_choice(client, twins):
    client.force_login(twins["owner"])
    url = reverse("graph:entity-merge", args=[twins["project"].id])

    same = client.post(url, {"keep": twins["org"].id, "merge": twins["org"].id})
    missing = client.post(url, {"keep": twins["org"].id})

    assert same.status_code == 200 and "Choose a different entity" in same.content.decode()
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    assert Entity.objects.filter(pk__in=[twins["org"].pk, twins["place"].pk]).count() == 2


def test_it_offers_only_entities_of_the_project(client, twins, make_project, make_graph):
    stranger = make_graph(make_project(twins["outsider"], name="Theirs")).entity("Secret Corp", "Organization")
    client.force_login(twins["owner"])
    url = reverse("graph:entity-merge", args=[twins["project"].id])

    response = client.post(url, {"keep": twins["org"].id, "merge": stranger.id})

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Entity.objects.filter(pk=stranger.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404)])
def test_it_lets_only_editors_merge(client, twins, who, status):
    client.force_login(twins[who])
    url = reverse("graph:entity-merge", args=[twins["project"].id])

    assert client.post(url, {"keep": twins["org"].id, "merge": twins["place"].id}).status_code == status
    assert Entity.objects.filter(pk=twins["place"].pk).exists()


def test_it_keeps_the_merged_name_for_later_memories(client, team, make_graph, ingest):
    graph = make_graph(team["project"])
    alice_chen, alice = graph.entity("Alice Chen"), graph.entity("Alice")
    entity_merge(project=team["project"], keep=alice_chen, merge=alice)

    ingest(team["project"], team["owner"], content="Alice moved to Lisbon last year.")

    assert list(
        Entity.objects.filter(project=team["project"], name__startswith="Alice").values_list("name", flat=True)
    ) == ["Alice Chen"]
    moved = Relationship.objects.get(project=team["project"], name="MOVED_TO")
    assert (moved.source_id, moved.target.name) == (alice_chen.pk, "Lisbon")
    assert [e.name for e in entities_named_in(team["project"], ["alice"])] == ["Alice Chen"]
    client.force_login(team["viewer"])
    page = client.get(reverse("graph:entity", args=[team["project"].id, alice_chen.id])).content.decode()
    assert "Also known as Alice" in page


def test_it_does_not_keep_a_name_that_is_the_kept_one_written_differently(twins):
    kept = entity_merge(project=twins["project"], keep=twins["org"], merge=twins["place"])

    assert list(kept.aliases.values_list("name", flat=True)) == []  # "Acme Robotics Inc" already finds "Acme Robotics"

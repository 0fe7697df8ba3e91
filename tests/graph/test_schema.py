"""A person's schema writes (apps.graph.services): the rules on names, renames, deletes, and the lock."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.graph import services as graph
from apps.graph.models import EdgeType, EntityType, Relationship
from tests.concurrency import DatabaseThread, transaction_held_open


@pytest.fixture
def acme(make_project, make_graph):
    """Alice works at Acme and used to work at Initech: two WORKS_AT relationships."""
    maker = make_graph(make_project())
    alice = maker.entity("Alice Chen")
    maker.relate(alice, "WORKS_AT", maker.entity("Acme Corp", "Organization"))
    maker.relate(alice, "WORKS_AT", maker.entity("Initech", "Organization"), closed=True)
    return {"project": maker.project}


def name_errors(raised: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return raised.value.message_dict["name"]


def test_it_creates_types_that_belong_to_the_user(acme):
    project = acme["project"]
    drug = graph.entity_type_create(project=project, name="Drug", description="A medicine.")
    treats = graph.edge_type_create(project=project, name="TREATS", exclusive=True)

    assert EntityType.objects.filter(pk=drug.pk, name="Drug", description="A medicine.", source="user").exists()
    assert EdgeType.objects.filter(pk=treats.pk, name="TREATS", exclusive=True, source="user").exists()


def test_it_refuses_a_name_the_project_has_in_any_case(acme):
    project = acme["project"]
    with pytest.raises(ValidationError) as raised:
        graph.entity_type_create(project=project, name="person")
    assert name_errors(raised) == ["This project already has a type named “person”."]

    drug = graph.entity_type_create(project=project, name="Drug")
    with pytest.raises(ValidationError) as raised:
        graph.entity_type_update(entity_type=drug, name="ORGANIZATION", description="")
    assert name_errors(raised) == ["This project already has a type named “ORGANIZATION”."]
    drug.refresh_from_db()
    assert drug.name == "Drug"


def test_it_keeps_a_built_in_types_name_and_leaves_the_instance_as_it_was(acme):
    person = EntityType.objects.get(project=acme["project"], name="Person")
    described = person.description
    with pytest.raises(ValidationError) as raised:
        graph.entity_type_update(entity_type=person, name="Human", description="Someone.")
    assert name_errors(raised) == ["“Person” is a built-in type and keeps its name; you can change its description."]
    assert (person.name, person.description) == ("Person", described)

    graph.entity_type_update(entity_type=person, name="Person", description="Someone.")
    person.refresh_from_db()
    assert (person.name, person.description, person.source) == ("Person", "Someone.", "user")


def test_it_renames_an_edge_types_relationships_and_only_its_projects(acme, make_project, make_graph):
    project = acme["project"]
    works_at = EdgeType.objects.create(project=project, name="WORKS_AT", source="generated")
    elsewhere = make_graph(make_project(name="Elsewhere"))
    elsewhere.relate(elsewhere.entity("Eve"), "WORKS_AT", elsewhere.entity("Initech", "Organization"))

    graph.edge_type_update(edge_type=works_at, name="EMPLOYED_BY", description="Works for.", exclusive=True)

    works_at.refresh_from_db()
    assert (works_at.name, works_at.description, works_at.exclusive, works_at.source) == (
        "EMPLOYED_BY",
        "Works for.",
        True,
        "user",
    )
    assert Relationship.objects.filter(project=project, name="EMPLOYED_BY").count() == 2
    assert not Relationship.objects.filter(project=project, name="WORKS_AT").exists()
    assert Relationship.objects.filter(project=elsewhere.project, name="WORKS_AT").count() == 1


def test_it_deletes_only_types_nothing_uses(acme):
    project = acme["project"]
    person = EntityType.objects.get(project=project, name="Person")
    works_at = EdgeType.objects.create(project=project, name="WORKS_AT")
    drug = graph.entity_type_create(project=project, name="Drug")
    treats = graph.edge_type_create(project=project, name="TREATS")

    with pytest.raises(graph.TypeInUse, match="“Person” is a built-in type"):
        graph.entity_type_delete(entity_type=person)
    with pytest.raises(graph.TypeInUse, match="“WORKS_AT” is used by 2 relationships, so it cannot be deleted."):
        graph.edge_type_delete(edge_type=works_at)
    graph.entity_type_delete(entity_type=drug)
    graph.edge_type_delete(edge_type=treats)

    assert set(EntityType.objects.filter(pk__in=[person.pk, drug.pk]).values_list("name", flat=True)) == {"Person"}
    assert set(EdgeType.objects.filter(pk__in=[works_at.pk, treats.pk]).values_list("name", flat=True)) == {"WORKS_AT"}


@pytest.mark.django_db(transaction=True)
def test_it_renames_after_the_ingestion_holding_the_lock_has_written(make_project, make_graph):
    # An ingestion that holds the project's lock writes a WORKS_AT relationship
    # meanwhile: the rename, which waits for the lock, takes it along too.
    maker = make_graph(make_project())
    works_at = EdgeType.objects.create(project=maker.project, name="WORKS_AT")
    alice, acme = maker.entity("Alice"), maker.entity("Acme", "Organization")
    with transaction_held_open(
        lambda: graph.lock_project_graph(maker.project), then=lambda: maker.relate(alice, "WORKS_AT", acme)
    ):
        renamer = DatabaseThread(
            lambda: graph.edge_type_update(edge_type=works_at, name="EMPLOYED_BY", description="", exclusive=False)
        )
        renamer.start()
        assert not renamer.finished.wait(0.5)
    renamer.join(10)

    assert renamer.finished.is_set()
    assert list(Relationship.objects.filter(project=maker.project).values_list("name", flat=True)) == ["EMPLOYED_BY"]

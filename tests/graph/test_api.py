"""The graph API: reading the graph, its JSON views, starting a rebuild, and the schema."""

from __future__ import annotations

import pytest

from apps.graph.models import Community, EdgeType, EdgeTypeMap, EntityType, Relationship
from apps.tasks.models import TaskLog


@pytest.fixture
def acme(team, make_graph):
    """Alice works at Acme (she used to work at Initech), Bob knows Alice, Carol knows Bob."""
    graph = make_graph(team["project"])
    people = {name: graph.entity(name) for name in ("Alice Chen", "Bob Stone", "Carol Diaz")}
    acme = graph.entity("Acme Corp", "Organization")
    initech = graph.entity("Initech", "Organization")
    graph.relate(people["Alice Chen"], "WORKS_AT", acme, fact="Alice Chen works at Acme Corp.")
    graph.relate(people["Alice Chen"], "WORKS_AT", initech, fact="Alice Chen worked at Initech.", closed=True)
    graph.relate(people["Bob Stone"], "KNOWS", people["Alice Chen"])
    graph.relate(people["Carol Diaz"], "KNOWS", people["Bob Stone"])
    return {"graph": graph, **people, "acme": acme, "initech": initech, **team}


def base(project) -> str:
    return f"/api/v1/projects/{project.id}"


def names(items) -> list[str]:
    return [item["name"] for item in items]


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 401)]
)
def test_it_applies_project_access_to_reads(api_client_for, acme, who, status):
    client = api_client_for(None if who == "anonymous" else acme[who])
    url = base(acme["project"])
    alice = acme["Alice Chen"].id
    person = EntityType.objects.get(project=acme["project"], name="Person").id
    works_at = EdgeType.objects.create(project=acme["project"], name="WORKS_AT").id
    for path in [
        "/entities/",
        f"/entities/{alice}/",
        f"/entities/{alice}/neighbourhood/",
        "/relationships/",
        "/communities/",
        "/graph/",
        "/schema/entity-types/",
        f"/schema/entity-types/{person}/",
        "/schema/edge-types/",
        f"/schema/edge-types/{works_at}/",
    ]:
        assert client.get(url + path).status_code == status, path


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404), ("anonymous", 401)])
def test_it_refuses_writes_to_those_who_may_not_edit(api_client_for, acme, who, status):
    client = api_client_for(None if who == "anonymous" else acme[who])
    url = base(acme["project"])
    person = EntityType.objects.get(project=acme["project"], name="Person").id
    works_at = EdgeType.objects.create(project=acme["project"], name="WORKS_AT").id
    calls = [
        ("post", "/communities/rebuild/", None),
        ("post", "/schema/entity-types/", {"name": "Drug"}),
        ("patch", f"/schema/entity-types/{person}/", {"description": "x"}),
        ("delete", f"/schema/entity-types/{person}/", None),
        ("post", "/schema/edge-types/", {"name": "TREATS"}),
        ("patch", f"/schema/edge-types/{works_at}/", {"description": "x"}),
        ("delete", f"/schema/edge-types/{works_at}/", None),
    ]
    for method, path, body in calls:
        assert getattr(client, method)(url + path, body, format="json").status_code == status, (method, path)
    assert not TaskLog.objects.exists()
    assert EdgeType.objects.filter(project=acme["project"]).count() == 1
    assert not EntityType.objects.filter(description="x").exists()


# -- entities and relationships -----------------------------------------------------------------


def test_it_lists_entities_with_search_and_type_filters(api_client_for, acme):
    client = api_client_for(acme["viewer"])
    url = base(acme["project"]) + "/entities/"

    everyone = client.get(url).json()
    assert everyone["count"] == 5 and names(everyone["results"]) == [
        "Acme Corp",
        "Alice Chen",
        "Bob Stone",
        "Carol Diaz",
        "Initech",
    ]
    alice = everyone["results"][1]
    assert (alice["type"], alice["degree"], alice["mention_count"]) == ("Person", 2, 1)  # the closed job does not count
    assert names(client.get(url, {"type": "organization"}).json()["results"]) == ["Acme Corp", "Initech"]
    assert names(client.get(url, {"q": "ST"}).json()["results"]) == ["Bob Stone"]
    assert client.get(url, {"q": "x" * 101}).status_code == 400


def test_it_shows_an_entity_with_relationships_both_ways_and_its_mentions(api_client_for, acme):
    client = api_client_for(acme["viewer"])
    alice = acme["Alice Chen"]
    community = Community.objects.create(project=acme["project"], name="Acme people", member_count=2)
    alice.community = community
    alice.save()

    body = client.get(f"{base(acme['project'])}/entities/{alice.id}/").json()

    assert (body["name"], body["type"], body["degree"]) == ("Alice Chen", "Person", 2)
    assert body["community"] == {"id": community.id, "name": "Acme people", "summary": "", "member_count": 2}
    facts = {(r["source"]["name"], r["name"], r["target"]["name"], r["current"]) for r in body["relationships"]}
    assert facts == {
        ("Alice Chen", "WORKS_AT", "Acme Corp", True),
        ("Alice Chen", "WORKS_AT", "Initech", False),
        ("Bob Stone", "KNOWS", "Alice Chen", True),
    }
    assert body["relationship_count"] == 3
    assert body["mentions"] == [
        {
            "memory_id": str(acme["graph"].memory.id),
            "title": "Meeting notes",
            "valid_at": body["mentions"][0]["valid_at"],
        }
    ]
    assert body["mention_count"] == 1
    assert client.get(f"{base(acme['project'])}/entities/999999/").status_code == 404


def test_it_does_not_show_an_entity_through_another_project(api_client_for, acme, make_project, make_graph):
    stranger = make_graph(make_project(acme["owner"], name="Other")).entity("Stranger")
    response = api_client_for(acme["owner"]).get(f"{base(acme['project'])}/entities/{stranger.id}/")
    assert response.status_code == 404


def test_it_filters_relationships(api_client_for, acme):
    client = api_client_for(acme["viewer"])
    url = base(acme["project"]) + "/relationships/"

    def listed(**params) -> set[tuple[str, str, str]]:
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        return {(r["source"]["name"], r["name"], r["target"]["name"]) for r in response.json()["results"]}

    assert len(listed()) == 4
    assert listed(entity=acme["Bob Stone"].id) == {
        ("Bob Stone", "KNOWS", "Alice Chen"),
        ("Carol Diaz", "KNOWS", "Bob Stone"),
    }
    assert listed(name="works_at", current="true") == {("Alice Chen", "WORKS_AT", "Acme Corp")}
    assert listed(current="false") == {("Alice Chen", "WORKS_AT", "Initech")}
    bad = client.get(url, {"current": "maybe", "entity": "alice"})
    assert bad.status_code == 400 and set(bad.json()) == {"current", "entity"}


def test_it_lists_communities_with_counts_and_top_members(api_client_for, acme):
    project = acme["project"]
    big = Community.objects.create(project=project, name="People", member_count=3)
    small = Community.objects.create(project=project, name="Firms", member_count=2)
    for name in ("Alice Chen", "Bob Stone", "Carol Diaz"):
        acme[name].community = big
        acme[name].save()
    for name in ("acme", "initech"):
        acme[name].community = small
        acme[name].save()

    body = api_client_for(acme["viewer"]).get(base(project) + "/communities/").json()

    assert [(c["name"], c["member_count"]) for c in body["results"]] == [("People", 3), ("Firms", 2)]
    assert [(m["name"], m["degree"]) for m in body["results"][0]["top_members"]] == [
        ("Alice Chen", 2),
        ("Bob Stone", 2),
        ("Carol Diaz", 1),
    ]
    assert body["results"][1]["top_members"][0] == {
        "id": acme["acme"].id,
        "name": "Acme Corp",
        "type": "Organization",
        "degree": 1,
    }


# -- graph JSON ---------------------------------------------------------------------------------


def test_it_gives_the_project_graph_best_connected_first(api_client_for, acme):
    client = api_client_for(acme["viewer"])
    url = base(acme["project"]) + "/graph/"

    body = client.get(url).json()
    assert set(body) == {"nodes", "edges", "total_nodes", "truncated", "limit"}
    assert (body["total_nodes"], body["truncated"], body["limit"]) == (5, False, 300)
    alice = acme["Alice Chen"]
    assert body["nodes"][0] == {
        "id": alice.id,
        "name": "Alice Chen",
        "type": "Person",
        "community_id": None,
        "degree": 2,
    }
    assert len(body["edges"]) == 3  # the closed relationship is not drawn
    edge = next(e for e in body["edges"] if e["name"] == "WORKS_AT")
    assert edge == {
        "id": edge["id"],
        "source": alice.id,
        "target": acme["acme"].id,
        "name": "WORKS_AT",
        "fact": "Alice Chen works at Acme Corp.",
        "weight": 1,  # the memories that support it
    }

    capped = client.get(url, {"limit": 2}).json()
    assert names(capped["nodes"]) == ["Alice Chen", "Bob Stone"] and capped["truncated"] is True
    assert [(e["source"], e["target"]) for e in capped["edges"]] == [(acme["Bob Stone"].id, alice.id)]
    assert set(client.get(url, {"limit": 0}).json()) == {"limit"}
    assert client.get(url, {"limit": 5000}).status_code == 400


def test_it_gives_an_entitys_neighbourhood_one_or_two_steps_out(api_client_for, acme):
    client = api_client_for(acme["viewer"])
    carol = acme["Carol Diaz"]
    url = f"{base(acme['project'])}/entities/{carol.id}/neighbourhood/"

    near = client.get(url).json()
    assert (near["center"], near["depth"]) == (carol.id, 1)
    assert [(n["name"], n["depth"]) for n in near["nodes"]] == [("Carol Diaz", 0), ("Bob Stone", 1)]
    assert len(near["edges"]) == 1

    far = client.get(url, {"depth": 2}).json()
    assert [(n["name"], n["depth"]) for n in far["nodes"]] == [("Carol Diaz", 0), ("Bob Stone", 1), ("Alice Chen", 2)]
    assert {e["name"] for e in far["edges"]} == {"KNOWS"} and len(far["edges"]) == 2

    assert client.get(url, {"depth": 3}).json() == {"depth": ["Ensure this value is less than or equal to 2."]}


# -- rebuild ------------------------------------------------------------------------------------


def test_it_starts_a_rebuild_and_refuses_a_second_while_it_runs(
    api_client_for, acme, django_capture_on_commit_callbacks
):
    url = base(acme["project"]) + "/communities/rebuild/"

    with django_capture_on_commit_callbacks(execute=False):  # nothing is sent to Celery here
        started = api_client_for(acme["editor"]).post(url)
    assert started.status_code == 202
    task = TaskLog.objects.get(pk=started.json()["task_id"])
    assert (task.task_type, task.status, task.created_by) == ("rebuild_communities", "pending", acme["editor"])

    again = api_client_for(acme["owner"]).post(url)
    assert again.status_code == 409
    assert again.json()["task_id"] == str(task.id) and "already pending" in again.json()["detail"]

    TaskLog.objects.filter(pk=task.pk).update(status="processing")
    assert api_client_for(acme["owner"]).post(url).json()["detail"].endswith("already processing.")
    TaskLog.objects.filter(pk=task.pk).update(status="completed")
    assert api_client_for(acme["owner"]).post(url).status_code == 202


# -- schema -------------------------------------------------------------------------------------


def test_it_lists_entity_types_with_their_use(api_client_for, acme):
    body = api_client_for(acme["viewer"]).get(base(acme["project"]) + "/schema/entity-types/").json()
    by_name = {t["name"]: t for t in body["results"]}
    assert by_name["Person"]["entity_count"] == 3 and by_name["Organization"]["entity_count"] == 2
    assert by_name["Person"]["source"] == "user" and by_name["Event"]["entity_count"] == 0


def test_it_creates_changes_and_deletes_an_entity_type(api_client_for, acme):
    client = api_client_for(acme["editor"])
    url = base(acme["project"]) + "/schema/entity-types/"

    created = client.post(url, {"name": " Clinical  Trial", "description": "A study."}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["description"], body["source"], body["entity_count"]) == (
        "Clinical Trial",
        "A study.",
        "user",
        0,
    )

    changed = client.patch(f"{url}{body['id']}/", {"description": "A medical study."}, format="json")
    assert changed.status_code == 200 and changed.json()["name"] == "Clinical Trial"
    assert changed.json()["description"] == "A medical study."

    assert client.delete(f"{url}{body['id']}/").status_code == 204
    assert client.get(f"{url}{body['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "person"}, "name", "This project already has a type named “person”."),
        ({"name": "42 things"}, "name", "Start with a letter; use letters, digits, spaces, hyphens and underscores."),
        ({"name": ""}, "name", "This field may not be blank."),
        ({}, "name", "This field is required."),
        ({"name": "x" * 81}, "name", "Ensure this field has no more than 80 characters."),
        ({"name": "Drug", "description": ["not", "text"]}, "description", "Not a valid string."),
    ],
)
def test_it_answers_bad_entity_types_with_field_errors(api_client_for, acme, body, field, message):
    response = api_client_for(acme["editor"]).post(base(acme["project"]) + "/schema/entity-types/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_it_keeps_built_in_names_and_refuses_to_delete_types_in_use(api_client_for, acme):
    client = api_client_for(acme["owner"])
    url = base(acme["project"]) + "/schema/entity-types/"
    person = EntityType.objects.get(project=acme["project"], name="Person")
    company = EntityType.objects.create(project=acme["project"], name="Company")
    acme["acme"].entity_type = company
    acme["acme"].save()

    renamed = client.patch(f"{url}{person.id}/", {"name": "Human"}, format="json")
    assert renamed.status_code == 400 and "built-in type" in renamed.json()["name"][0]
    refused = client.delete(f"{url}{person.id}/")
    assert refused.status_code == 409 and "built-in type" in refused.json()["detail"]
    in_use = client.delete(f"{url}{company.id}/")
    assert in_use.status_code == 409
    assert in_use.json()["detail"].startswith("“Company” is the type of 1 entity, so it cannot be deleted.")
    assert EntityType.objects.filter(pk__in=[person.pk, company.pk]).count() == 2


def test_it_manages_edge_types_and_renames_their_relationships(api_client_for, acme):
    project = acme["project"]
    client = api_client_for(acme["editor"])
    url = base(project) + "/schema/edge-types/"
    works_at = EdgeType.objects.create(project=project, name="WORKS_AT", source="generated", exclusive=True)
    person, organization = (EntityType.objects.get(project=project, name=n) for n in ("Person", "Organization"))
    EdgeTypeMap.objects.create(
        project=project, source_type=person, target_type=organization, edge_type=works_at, source="generated"
    )

    listed = client.get(url).json()["results"]
    assert listed == [
        {
            **listed[0],
            "name": "WORKS_AT",
            "source": "generated",
            "exclusive": True,
            "relationship_count": 2,
            "triples": [{"source_type": "Person", "target_type": "Organization"}],
        }
    ]

    created = client.post(url, {"name": "reports-to", "exclusive": True}, format="json")
    assert created.status_code == 201 and (created.json()["name"], created.json()["exclusive"]) == ("REPORTS_TO", True)
    assert client.post(url, {"name": "works_at"}, format="json").json() == {
        "name": ["This project already has a type named “WORKS_AT”."]
    }
    assert client.post(url, {"name": "9 lives"}, format="json").status_code == 400
    assert client.post(url, {"name": "OK", "exclusive": "perhaps"}, format="json").json() == {
        "exclusive": ["Must be a valid boolean."]
    }

    renamed = client.patch(f"{url}{works_at.id}/", {"name": "EMPLOYED_BY"}, format="json")
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["exclusive"], renamed.json()["relationship_count"]) == (
        "EMPLOYED_BY",
        True,
        2,
    )
    assert Relationship.objects.filter(project=project, name="EMPLOYED_BY").count() == 2

    in_use = client.delete(f"{url}{works_at.id}/")
    assert in_use.status_code == 409 and "used by 2 relationships" in in_use.json()["detail"]
    assert client.delete(f"{url}{created.json()['id']}/").status_code == 204

"""The graph's pages as a member sees them: communities (with rebuild), entities, graph views, schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from apps.graph.models import Community, EdgeType, Entity, EntityType, Relationship
from apps.graph.rebuild import rebuild_request
from apps.graph.tasks import rebuild_communities
from apps.tasks.models import TaskLog


@pytest.fixture
def acme(team, make_graph):
    """Alice works at Acme (she used to work at Initech), Bob knows Alice."""
    graph = make_graph(team["project"])
    alice = graph.entity("Alice Chen", summary="Engineer at Acme.", attributes={"role": "engineer"})
    bob = graph.entity("Bob Stone")
    acme = graph.entity("Acme Corp", "Organization")
    initech = graph.entity("Initech", "Organization")
    graph.relate(alice, "WORKS_AT", acme, fact="Alice Chen works at Acme Corp.")
    graph.relate(alice, "WORKS_AT", initech, fact="Alice Chen worked at Initech.", closed=True)
    graph.relate(bob, "KNOWS", alice, fact="Bob knows Alice.")
    return {"graph": graph, "alice": alice, "bob": bob, "acme": acme, "initech": initech, **team}


def pages(project, entity) -> list[str]:
    return [
        reverse("graph:communities", args=[project.id]),
        reverse("graph:entities", args=[project.id]),
        reverse("graph:entity", args=[project.id, entity.id]),
        reverse("graph:entity-graph", args=[project.id, entity.id]),
        reverse("graph:graph", args=[project.id]),
        reverse("graph:schema", args=[project.id]),
    ]


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("editor", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 302)]
)
def test_it_applies_project_access_to_pages(client, acme, who, status):
    if who != "anonymous":
        client.force_login(acme[who])
    for url in pages(acme["project"], acme["alice"]):
        response = client.get(url)
        assert response.status_code == status, url
        if who == "anonymous":
            assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("outsider", 404), ("anonymous", 302)])
def test_it_refuses_changes_to_those_who_may_not_edit(client, acme, who, status):
    if who != "anonymous":
        client.force_login(acme[who])
    project = acme["project"]
    person = EntityType.objects.get(project=project, name="Person")
    posts = [
        (reverse("graph:communities-rebuild", args=[project.id]), {}),
        (reverse("graph:entity-type-create", args=[project.id]), {"entity-name": "Drug"}),
        (reverse("graph:entity-type-edit", args=[project.id, person.id]), {"name": "Person", "description": "x"}),
        (reverse("graph:entity-type-delete", args=[project.id, person.id]), {}),
        (reverse("graph:edge-type-create", args=[project.id]), {"edge-name": "TREATS"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == status, url
    assert not TaskLog.objects.exists()
    assert not EntityType.objects.filter(name="Drug").exists() and not EdgeType.objects.exists()
    assert EntityType.objects.get(pk=person.pk).description != "x"


# -- communities ---------------------------------------------------------------------------


def test_it_lists_communities_largest_first_with_their_best_connected_members(client, team, seed_graph, make_graph):
    project = team["project"]
    seed_graph(project, clusters=2, size=12, density=0.5)
    rebuild_communities(str(rebuild_request(project=project, by=None).id))
    graph = make_graph(project, title="Small")
    pair = [graph.entity("Xavier Small"), graph.entity("Yvonne Small")]
    graph.relate(pair[0], "KNOWS", pair[1])
    community = Community.objects.create(project=project, name="The pair", member_count=2)
    for entity in pair:
        entity.community = community
        entity.save()
    client.force_login(team["viewer"])

    page = client.get(reverse("graph:communities", args=[project.id])).content.decode()

    names = re.findall(r"<td><strong>(.*?)</strong>", page)
    assert len(names) == 3 and names[-1] == "The pair"
    assert page.count("and 2 more") == 2  # 12 members, 10 shown
    assert "Xavier Small" in page and "Yvonne Small" in page
    assert "Rebuild communities" not in page  # a viewer cannot


def test_it_paginates_communities(client, team):
    Community.objects.bulk_create(
        [Community(project=team["project"], name=f"Group {i:02d}", member_count=100 - i) for i in range(25)]
    )
    client.force_login(team["owner"])
    first = client.get(reverse("graph:communities", args=[team["project"].id])).content.decode()
    second = client.get(reverse("graph:communities", args=[team["project"].id]) + "?page=2").content.decode()
    assert "Group 00" in first and "Group 19" in first and "Group 20" not in first
    assert "Group 20" in second and "Page 2 of 2" in second


def test_it_rebuilds_without_javascript_and_shows_the_progress_card(
    client, team, seed_graph, django_capture_on_commit_callbacks
):
    project = team["project"]
    seed_graph(project, clusters=2, size=5)
    client.force_login(team["editor"])
    url = reverse("graph:communities", args=[project.id])

    response = client.post(reverse("graph:communities-rebuild", args=[project.id]))
    assert response.status_code == 302 and response.url == url
    task = TaskLog.objects.get(task_type="rebuild_communities")
    page = client.get(url).content.decode()
    assert "Community rebuild started." in page
    card = json.loads(re.search(r"data-track-task='(.*?)'", page).group(1).replace("&quot;", '"'))
    assert card["stream_url"] == f"/api/v1/tasks/{task.id}/stream"
    assert card["cancel_url"] == f"/api/v1/tasks/{task.id}/cancel/"
    assert 'role="progressbar"' in page and "js/progress.js" in page
    assert re.search(r"<button type=\"submit\" disabled>Rebuild communities</button>", page)

    again = client.post(reverse("graph:communities-rebuild", args=[project.id]), follow=True).content.decode()
    assert "already pending" in again and TaskLog.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        rebuild_communities(str(task.id))
    done = client.get(url).content.decode()
    assert "data-track-task" not in done
    assert "2 communities, largest first." in done


# -- entities --------------------------------------------------------------------------------


def test_it_shows_an_entity_with_its_relationships_memories_and_community(client, acme):
    project, alice = acme["project"], acme["alice"]
    community = Community.objects.create(
        project=project, name="Acme people", summary="Who works at Acme.", member_count=3
    )
    alice.community = community
    alice.save()
    client.force_login(acme["viewer"])

    page = client.get(reverse("graph:entity", args=[project.id, alice.id])).content.decode()

    assert "<h1>Alice Chen</h1>" in page and "Person" in page and "Engineer at Acme." in page
    assert "role" in page and "engineer" in page
    assert "Acme people" in page and "Who works at Acme." in page
    outgoing = page[page.index("Relationships from Alice Chen") : page.index("Relationships to Alice Chen")]
    assert "Acme Corp" in outgoing and "current" in outgoing
    assert re.search(r"Initech</a></td>.*?closed \d{4}-\d\d-\d\d", outgoing, re.S)
    incoming = page[page.index("Relationships to Alice Chen") : page.index("Mentioned in")]
    assert "Bob Stone" in incoming and "KNOWS" in incoming
    memory_url = reverse("memories:detail", args=[project.id, acme["graph"].memory.id])
    assert f'href="{memory_url}">Meeting notes</a>' in page
    assert reverse("graph:entity-graph", args=[project.id, alice.id]) in page


def test_it_does_not_show_an_entity_of_another_project(client, acme, make_project, make_graph):
    elsewhere = make_project(acme["owner"], name="Other")
    stranger = make_graph(elsewhere).entity("Stranger")
    client.force_login(acme["owner"])
    assert client.get(reverse("graph:entity", args=[acme["project"].id, stranger.id])).status_code == 404


def test_it_searches_and_filters_entities_and_keeps_the_filter_across_pages(client, team, make_graph):
    graph = make_graph(team["project"])
    for i in range(55):
        graph.entity(f"Person {i:02d}")
    graph.entity("Acme Corp", "Organization")
    client.force_login(team["viewer"])
    url = reverse("graph:entities", args=[team["project"].id])

    organisations = client.get(url, {"type": "Organization"}).content.decode()
    assert "Acme Corp" in organisations and "Person 00" not in organisations and "1 entity found." in organisations

    searched = client.get(url, {"q": "person 0"}).content.decode()
    assert "Person 09" in searched and "Person 10" not in searched and "10 entities found." in searched

    people = client.get(url, {"type": "Person"}).content.decode()
    assert "55 entities found." in people and "Page 1 of 2" in people
    assert "?type=Person&amp;page=2" in people
    assert "Acme Corp" not in client.get(url, {"type": "Person", "page": 2}).content.decode()

    nothing = client.get(url, {"q": "nobody"}).content.decode()
    assert "No entities match." in nothing


# -- graph views ------------------------------------------------------------------------------


def test_it_draws_graphs_with_the_vendored_library_and_lists_them_without_it(client, acme):
    project, alice = acme["project"], acme["alice"]
    client.force_login(acme["viewer"])

    whole = client.get(reverse("graph:graph", args=[project.id])).content.decode()
    around = client.get(reverse("graph:entity-graph", args=[project.id, alice.id]), {"depth": "2"}).content.decode()
    assert "Around Alice Chen" in around and "within 2 steps" in around

    for page in (whole, around):
        scripts = re.findall(r'<script src="/static/([^"]+)"', page)
        assert scripts == ["vendor/cytoscape-3.34.4.min.js", "js/graph-view.js"]
        assert "Drawing the graph needs JavaScript" in page  # at the top, until the script draws
        assert page.index("Drawing the graph needs JavaScript") < page.index("data-graph-list")
        assert "Loading the graph" not in page  # nothing waits for a script that may never run
        # The drawing's data is in the page (one request), and the same entities are listed.
        data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S)[1])
        assert {node["name"] for node in data["nodes"]} >= {"Alice Chen", "Acme Corp", "Bob Stone"}
        listed = page[page.index("data-graph-list") :]
        for node in data["nodes"]:
            assert f'<a href="{reverse("graph:entity", args=[project.id, node["id"]])}">{node["name"]}</a>' in listed
        assert 'class="graph-canvas" data-graph="graph-data"' in page and "hidden></div>" in page
    static = Path(settings.BASE_DIR, "static")
    assert all((static / script).is_file() for script in scripts)
    assert (static / "vendor/cytoscape-3.34.4.LICENSE.txt").read_text().startswith("Copyright")


# -- schema -------------------------------------------------------------------------------------


def test_it_lists_user_and_generated_types_with_their_use(client, acme):
    project = acme["project"]
    EdgeType.objects.create(project=project, name="WORKS_AT", source="generated", exclusive=True)
    client.force_login(acme["viewer"])

    page = client.get(reverse("graph:schema", args=[project.id])).content.decode()

    assert "Organization" in page and "<code>WORKS_AT</code>" in page and "exclusive" in page
    assert "generated" in page and "user" in page
    assert "Add an entity type" not in page and "/delete/" not in page  # viewers read only

    client.force_login(acme["editor"])
    drug = EntityType.objects.create(project=project, name="Drug")
    person = EntityType.objects.get(project=project, name="Person")
    page = client.get(reverse("graph:schema", args=[project.id])).content.decode()
    assert "Add an entity type" in page
    assert reverse("graph:entity-type-delete", args=[project.id, drug.id]) in page
    assert reverse("graph:entity-type-delete", args=[project.id, person.id]) not in page  # built in: it stays


def test_it_adds_types_and_shows_field_errors(client, acme):
    project = acme["project"]
    client.force_login(acme["editor"])
    create_entity_type = reverse("graph:entity-type-create", args=[project.id])

    response = client.post(create_entity_type, {"entity-name": "  Clinical   Trial ", "entity-description": "A study."})
    assert response.status_code == 302
    assert EntityType.objects.get(project=project, name="Clinical Trial").source == "user"

    duplicate = client.post(create_entity_type, {"entity-name": "person"})
    assert duplicate.status_code == 200
    assert "This project already has a type named “person”." in duplicate.content.decode()
    invalid = client.post(create_entity_type, {"entity-name": "42 things"}).content.decode()
    assert "Start with a letter" in invalid
    assert "This field is required." in client.post(create_entity_type, {"entity-name": ""}).content.decode()

    edge = client.post(
        reverse("graph:edge-type-create", args=[project.id]), {"edge-name": "reports to", "edge-exclusive": "on"}
    )
    assert edge.status_code == 302
    assert EdgeType.objects.filter(project=project, name="REPORTS_TO", exclusive=True).exists()
    page = client.get(reverse("graph:schema", args=[project.id])).content.decode()
    assert "Added the edge type “REPORTS_TO”." in page and "Clinical Trial" in page


def test_it_renames_an_edge_type_and_its_relationships(client, acme):
    project = acme["project"]
    works_at = EdgeType.objects.create(project=project, name="WORKS_AT", source="generated")
    client.force_login(acme["owner"])
    url = reverse("graph:edge-type-edit", args=[project.id, works_at.id])

    form = client.get(url).content.decode()
    assert "Renaming it renames its relationships too." in form
    assert 'value="WORKS_AT"' in form  # the form starts from the type's current fields
    response = client.post(url, {"name": "EMPLOYED_BY", "description": "Works for.", "exclusive": "on"})

    assert response.status_code == 302
    works_at.refresh_from_db()
    assert (works_at.name, works_at.source, works_at.exclusive) == ("EMPLOYED_BY", "user", True)
    assert set(Relationship.objects.filter(project=project).values_list("name", flat=True)) == {"EMPLOYED_BY", "KNOWS"}


def test_it_keeps_built_in_type_names(client, acme):
    person = EntityType.objects.get(project=acme["project"], name="Person")
    client.force_login(acme["editor"])
    url = reverse("graph:entity-type-edit", args=[acme["project"].id, person.id])
    page = client.post(url, {"name": "Human", "description": ""}).content.decode()
    assert "“Person” is a built-in type and keeps its name" in page
    assert client.post(url, {"name": "Person", "description": "Someone."}).status_code == 302
    person.refresh_from_db()
    assert (person.name, person.description) == ("Person", "Someone.")


def test_it_explains_why_a_type_in_use_cannot_be_deleted(client, acme):
    project = acme["project"]
    client.force_login(acme["editor"])
    schema_url = reverse("graph:schema", args=[project.id])
    person = EntityType.objects.get(project=project, name="Person")
    organization = EntityType.objects.get(project=project, name="Organization")
    drug = EntityType.objects.create(project=project, name="Drug")
    works_at = EdgeType.objects.create(project=project, name="WORKS_AT")
    unused = EdgeType.objects.create(project=project, name="TREATS")

    def delete(kind, schema_type):
        response = client.post(reverse(f"graph:{kind}-type-delete", args=[project.id, schema_type.id]), follow=True)
        assert response.status_code == 200 and response.redirect_chain[-1][0].startswith(schema_url)
        return response.content.decode()

    assert "“Person” is a built-in type" in delete("entity", person)
    drug_type_of_nothing = delete("entity", drug)
    assert "Deleted the entity type “Drug”." in drug_type_of_nothing
    assert "“WORKS_AT” is used by 2 relationships, so it cannot be deleted." in delete("edge", works_at)
    assert "Deleted the edge type “TREATS”." in delete("edge", unused)
    organisation_kept = EntityType.objects.filter(pk=organization.pk).exists()
    assert organisation_kept and EdgeType.objects.filter(pk=works_at.pk).exists()
    assert not EntityType.objects.filter(pk=drug.pk).exists() and not EdgeType.objects.filter(pk=unused.pk).exists()

    custom = EntityType.objects.create(project=project, name="Company")
    acme["acme"].entity_type = custom
    acme["acme"].save()
    assert "“Company” is the type of 1 entity, so it cannot be deleted." in delete("entity", custom)


def test_it_keeps_the_number_of_queries_flat_as_lists_grow(client, team, seed_graph, django_assert_max_num_queries):
    project = team["project"]
    seed_graph(project, clusters=20, size=15)
    rebuild_communities(str(rebuild_request(project=project, by=None).id))
    client.force_login(team["viewer"])
    for name in ("graph:communities", "graph:entities", "graph:schema"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=[project.id])).status_code == 200


# -- admin ------------------------------------------------------------------------------------------


def test_it_lists_searches_and_opens_every_graph_model_in_the_admin(admin_client, acme):
    acme["alice"].community = Community.objects.create(project=acme["project"], name="Acme people", member_count=1)
    acme["alice"].save()
    EdgeType.objects.create(project=acme["project"], name="WORKS_AT")
    models = ["entitytype", "edgetype", "edgetypemap", "community", "entity", "mention", "relationship"]
    for model in models:
        changelist = reverse(f"admin:graph_{model}_changelist")
        assert admin_client.get(changelist).status_code == 200, model
        assert admin_client.get(changelist, {"q": "Alice"}).status_code == 200, model
    relationships = admin_client.get(
        reverse("admin:graph_relationship_changelist"), {"invalid_at__isempty": "0"}
    ).content.decode()
    assert "Initech" in relationships and "Acme Corp" not in relationships
    closed = Relationship.objects.get(target=acme["initech"])
    for obj, model in [(acme["alice"], "entity"), (closed, "relationship")]:
        assert admin_client.get(reverse(f"admin:graph_{model}_change", args=[obj.pk])).status_code == 200


def test_the_admin_writes_schema_types_through_the_schema_rules(admin_client, acme):
    project = acme["project"]
    person = EntityType.objects.get(project=project, name="Person")
    add_url = reverse("admin:graph_entitytype_add")

    # A name another type has, in another case: refused with the schema page's message, nothing written.
    taken = admin_client.post(add_url, {"project": project.pk, "name": "PERSON", "description": "", "source": "user"})
    assert taken.status_code == 200
    assert "This project already has a type named “PERSON”." in taken.content.decode()
    assert EntityType.objects.filter(project=project, name__iexact="person").count() == 1

    # A type in use is not deleted (its entities would go with it).
    in_use = admin_client.post(reverse("admin:graph_entitytype_delete", args=[person.pk]), {"post": "yes"})
    assert "Cannot delete entity type" in in_use.content.decode()
    assert EntityType.objects.filter(pk=person.pk).exists()

    # A built-in type nobody uses is not deleted either; the admin says why.
    location = EntityType.objects.get(project=project, name="Location")
    deleted = admin_client.post(
        reverse("admin:graph_entitytype_delete", args=[location.pk]), {"post": "yes"}, follow=True
    )
    assert "is a built-in type" in deleted.content.decode()
    assert EntityType.objects.filter(pk=location.pk).exists()

    # A new type is saved by the service: a person's type.
    added = admin_client.post(
        add_url, {"project": project.pk, "name": "Gadget", "description": "", "source": "generated"}
    )
    assert added.status_code == 302
    assert EntityType.objects.get(project=project, name="Gadget").source == "user"


def test_the_admin_shows_derived_graph_rows_without_editing_them(admin_client, acme):
    alice = acme["alice"]
    change = admin_client.get(reverse("admin:graph_entity_change", args=[alice.pk])).content.decode()
    assert alice.name in change and 'name="_save"' not in change
    assert (
        admin_client.post(reverse("admin:graph_entity_change", args=[alice.pk]), {"name": "Mallory"}).status_code == 403
    )
    assert admin_client.post(reverse("admin:graph_entity_delete", args=[alice.pk]), {"post": "yes"}).status_code == 403
    alice.refresh_from_db()
    assert alice.name != "Mallory"


def test_the_graph_page_draws_the_best_connected_with_their_strongest_relationships(client, team, seed_graph):
    project = team["project"]
    seed_graph(project, clusters=3, size=30, density=0.4)
    client.force_login(team["viewer"])

    url = reverse("graph:graph", args=[project.id])
    default = client.get(url)
    data = default.context["graph_data"]
    assert len(data["nodes"]) == 50 and data["total_nodes"] == 90 and data["truncated"]
    degrees = [node["degree"] for node in data["nodes"]]
    assert degrees == sorted(degrees, reverse=True)  # the best connected
    assert len(data["edges"]) <= 100  # about two per entity drawn: the strongest
    assert 'option value="50" selected' in default.content.decode()

    bigger = client.get(url, {"size": "100"}).context["graph_data"]
    assert (len(bigger["nodes"]), len(bigger["edges"]), bigger["truncated"]) == (90, 200, True)
    assert len(client.get(url, {"size": "7"}).context["graph_data"]["nodes"]) == 50  # not a choice: the default


def test_edges_are_weighed_by_the_memories_that_support_them(client, acme, make_graph):
    project, alice, acme_corp, bob = acme["project"], acme["alice"], acme["acme"], acme["bob"]
    works_at = Relationship.objects.get(source=alice, target=acme_corp)
    for n in range(2):
        works_at.episodes.add(make_graph(project, title=f"Another note {n}").memory)
    client.force_login(acme["viewer"])
    edges = client.get(reverse("graph:graph", args=[project.id])).context["graph_data"]["edges"]
    assert [(e["source"], e["target"], e["weight"]) for e in edges] == [
        (alice.id, acme_corp.id, 3),  # strongest first
        (bob.id, alice.id, 1),
    ]
    api = client.get(reverse("api:graph-project", args=[project.id])).json()
    assert api["edges"][0]["weight"] == 3


def test_the_graph_page_has_a_legend_of_its_communities(client, acme):
    project = acme["project"]
    people = Community.objects.create(project=project, name="Acme people", member_count=2)
    Entity.objects.filter(pk__in=[acme["alice"].id, acme["bob"].id]).update(community=people)
    client.force_login(acme["viewer"])
    response = client.get(reverse("graph:graph", args=[project.id]))
    legend = response.content.decode().split('class="legend"')[1].split("</ul>")[0]
    assert 'Acme people <span class="meta">(2)</span>' in legend
    assert 'In no community <span class="meta">(2)</span>' in legend  # Acme Corp and Initech
    colours = {node["name"]: node["colour"] for node in response.context["graph_data"]["nodes"]}
    assert colours["Alice Chen"] == colours["Bob Stone"] != colours["Acme Corp"]


def test_an_entity_page_pages_its_relationships_and_mentions(client, team, make_graph):
    graph = make_graph(team["project"])
    hub = graph.entity("Hub")
    for n in range(30):
        graph.relate(hub, "KNOWS", graph.entity(f"Spoke {n:02d}"))
    for n in range(27):
        graph.relate(graph.entity(f"Fan {n:02d}"), "ADMIRES", hub)
    client.force_login(team["viewer"])
    url = reverse("graph:entity", args=[team["project"].id, hub.id])

    first = client.get(url).content.decode()
    assert 'Relationships from Hub <small class="meta">(30)</small>' in first
    assert first.count("<code>KNOWS</code>") == 25 and first.count("<code>ADMIRES</code>") == 25
    assert 'href="?out=2#from">Next' in first and 'href="?in=2#to">Next' in first

    # Each list pages on its own, and keeps the other lists' pages.
    second = client.get(url, {"out": "2", "in": "2"}).content.decode()
    assert second.count("<code>KNOWS</code>") == 5 and second.count("<code>ADMIRES</code>") == 2
    assert 'href="?in=2&amp;out=1#from">' in second

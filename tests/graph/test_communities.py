from __future__ import annotations

import itertools

from apps.graph.communities import (
    NEW,
    NewCommunity,
    assign_incrementally,
    detect_communities,
    name_community,
    namer_from,
    plan_rebuild,
)

LEFT = ["a1", "a2", "a3", "a4", "a5"]
RIGHT = ["b1", "b2", "b3", "b4", "b5"]


def two_cliques() -> list[tuple[str, str, float]]:
    edges = [(x, y, 1.0) for group in (LEFT, RIGHT) for x, y in itertools.combinations(group, 2)]
    return edges + [("a5", "b1", 1.0)]  # one bridge


def test_it_finds_two_cliques_joined_by_one_edge():
    communities = detect_communities(LEFT + RIGHT, two_cliques())

    assert sorted(map(sorted, communities)) == [LEFT, RIGHT]


def test_it_finds_the_same_communities_every_time_in_any_input_order():
    first = detect_communities(LEFT + RIGHT, two_cliques())

    for attempt in range(5):
        nodes = (LEFT + RIGHT)[attempt:] + (LEFT + RIGHT)[:attempt]
        edges = two_cliques()[::-1] if attempt % 2 else two_cliques()
        assert detect_communities(nodes, edges) == first


def test_it_keeps_isolated_nodes_as_communities_of_one():
    communities = detect_communities(LEFT + ["loner"], [(x, y, 1.0) for x, y in itertools.combinations(LEFT, 2)])

    assert communities == [set(LEFT), {"loner"}]  # largest first


def test_it_finds_nothing_in_an_empty_graph():
    assert detect_communities([], []) == []


def test_it_places_a_node_with_the_majority_of_its_neighbours():
    community = {"x": 1, "y": 1, "z": 2}
    neighbours = {"new": ["x", "y", "z"]}

    placed = assign_incrementally(["new"], neighbours.get, community.get)

    assert placed == {"new": 1}


def test_it_breaks_a_tie_towards_the_lowest_community():
    community = {"x": 5, "y": 3}

    assert assign_incrementally(["new"], lambda n: ["x", "y"], community.get) == {"new": 3}


def test_it_lets_a_new_node_follow_a_touched_neighbour():
    # alice (new) knows only bob (new), who works at acme (community 4): both join 4.
    neighbours = {"alice": ["bob"], "bob": ["alice", "acme"]}
    community = {"acme": 4}

    assert assign_incrementally(["alice", "bob"], neighbours.get, community.get) == {"alice": 4, "bob": 4}


def test_it_founds_a_new_community_when_no_neighbour_has_one():
    neighbours = {"alice": ["bob"], "bob": ["alice"], "carol": []}

    placed = assign_incrementally(["alice", "bob", "carol"], neighbours.get, lambda n: None)

    assert placed == {"alice": NEW, "bob": NEW, "carol": NEW}


def test_it_groups_new_communities_when_asked():
    neighbours = {"alice": ["bob"], "bob": ["alice"], "carol": []}

    placed = assign_incrementally(["carol", "bob", "alice"], neighbours.get, lambda n: None, group_new=True)

    assert placed == {"alice": NewCommunity(0), "bob": NewCommunity(0), "carol": NewCommunity(1)}


def test_it_leaves_a_node_without_community_neighbours_where_it_is():
    assert assign_incrementally(["alice"], lambda n: [], {"alice": 9}.get) == {"alice": 9}


def test_it_names_a_community_after_its_best_connected_members():
    members = [("Bob Li", 2), ("Acme Corp", 5), ("Alice Chen", 3), ("Globex", 1)]
    facts = [
        ("Alice Chen", "WORKS_AT", "Acme Corp"),
        ("Bob Li", "WORKS_AT", "Acme Corp"),
        ("Alice Chen", "FOUNDED", "Acme Corp"),
    ]

    name, summary = name_community(members, facts)

    assert name == "Acme Corp & Alice Chen"
    assert summary == (
        "4 entities: Acme Corp, Alice Chen, Bob Li and 1 more. Most common relationships: WORKS_AT (2), FOUNDED (1)."
    )


def test_it_names_a_community_from_relationship_counts():
    name, summary = name_community([("Alice Chen", 0)], {"KNOWS": 3})

    assert name == "Alice Chen"
    assert summary == "1 entity: Alice Chen. Most common relationships: KNOWS (3)."


def test_it_plans_a_rebuild_and_reports_progress():
    names = {n: n.upper() for n in LEFT + RIGHT}
    relationships = [(s, t, "KNOWS") for s, t, _ in two_cliques()]
    reports: list[tuple[int, str]] = []

    planned = plan_rebuild(names, relationships, progress=lambda percent, message: reports.append((percent, message)))

    assert sorted(sorted(p.members) for p in planned) == [LEFT, RIGHT]
    # a5 and b1 carry the bridge, so they have the highest degree.
    assert {p.name for p in planned} == {"A5 & A1", "B1 & B2"}
    percents = [p for p, _ in reports]
    assert percents == sorted(percents) and percents[0] == 0 and percents[-1] == 100
    assert reports[-1] == (100, "2 communities")


def test_it_names_communities_with_a_summarizer():
    class Summarizer:
        calls: list[tuple[list[str], list[str]]] = []

        def summarize_community(self, member_names, facts):
            self.calls.append((list(member_names), list(facts)))
            return "Named", "Summary"

    summarizer = Summarizer()
    name = namer_from(summarizer)([("Bob", 1), ("Acme", 2)], [("Bob", "WORKS_AT", "Acme")])

    assert name == ("Named", "Summary")
    assert summarizer.calls == [(["Acme", "Bob"], ["Bob WORKS_AT Acme"])]

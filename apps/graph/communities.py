"""Communities of entities: a full rebuild (Louvain), an incremental update, and names.

Pure functions over node keys (any hashable: database ids, names), so the
rebuild task and ingestion can call them with whatever they load.

Every node belongs to exactly one community, isolated ones included (a
community of one). The rebuild and the incremental path therefore agree: an
entity with no relationships is alone either way. Pages that only want groups
can hide communities of size one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import networkx as nx

from apps.graph.ordering import stable_key

Node = Hashable
Progress = Callable[[int, str], None]  # (percent of this job, message)
Namer = Callable[[list[tuple[str, int]], list[tuple[str, str, str]]], tuple[str, str]]


def detect_communities(
    nodes: Iterable[Node],
    weighted_edges: Iterable[tuple[Node, Node, float]],
    seed: int = 42,
    *,
    resolution: float = 1.0,
) -> list[set[Node]]:
    """Louvain communities, largest first; the same input always gives the same output.

    Parallel edges add their weights; self-loops are ignored (they say nothing
    about grouping); nodes only named by an edge are included.
    """
    graph = nx.Graph()
    # Louvain visits nodes in insertion order (shuffled by the seed): insert in a
    # fixed order so the result does not depend on how the caller's query sorted rows.
    graph.add_nodes_from(sorted(set(nodes), key=stable_key))
    weights: dict[tuple[Node, Node], float] = defaultdict(float)
    for a, b, weight in weighted_edges:
        if a != b:
            pair = (a, b) if stable_key(a) <= stable_key(b) else (b, a)
            weights[pair] += weight
    for (a, b), weight in sorted(weights.items(), key=lambda item: (stable_key(item[0][0]), stable_key(item[0][1]))):
        graph.add_edge(a, b, weight=weight)
    if graph.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(stable_key(n) for n in c)))


class _New:
    def __repr__(self) -> str:
        return "NEW"


NEW: Hashable = _New()  # "form a new community", from assign_incrementally


@dataclass(frozen=True)
class NewCommunity:
    """With group_new=True: a community that does not exist yet; equal markers share one."""

    index: int


def assign_incrementally(
    touched_nodes: Iterable[Node],
    neighbours_of: Callable[[Node], Iterable[Node]],
    community_of: Callable[[Node], Hashable | None],
    *,
    group_new: bool = False,
) -> dict[Node, Hashable]:
    """Where each touched node goes, without a rebuild.

    A node joins the community most of its neighbours are in (a neighbour listed
    twice, e.g. for two relationships, counts twice); ties go to the lowest key.
    A node none of whose neighbours has a community stays in its own if it has
    one, else takes the placement of a touched neighbour, however long the
    chain. What is left gets NEW: it forms a new community. With `group_new`, it gets a NewCommunity(i)
    marker instead, equal for nodes connected through each other, so a memory
    that introduces Alice and Acme together founds one community, not two.
    """
    touched = sorted(set(touched_nodes), key=stable_key)
    neighbours = {node: list(neighbours_of(node)) for node in touched}
    placed: dict[Node, Hashable] = {}
    for node in touched:
        votes = Counter(c for c in map(community_of, neighbours[node]) if c is not None)
        if votes:
            placed[node] = _majority(votes)
        elif (current := community_of(node)) is not None:
            placed[node] = current  # nothing pulls it elsewhere: it stays
    _spread_among_touched(touched, neighbours, placed)
    if group_new:
        _group_new(touched, neighbours, placed)
    return {node: placed.get(node, NEW) for node in touched}


def _majority(votes: Counter[Hashable]) -> Hashable:
    return min(votes, key=lambda community: (-votes[community], stable_key(community)))


def _spread_among_touched(
    touched: list[Node], neighbours: dict[Node, list[Node]], placed: dict[Node, Hashable]
) -> None:
    """New node next to new node next to an old community: both join it, however far the chain."""
    changed = True
    while changed:
        changed = False
        for node in touched:
            if node in placed:
                continue
            votes = Counter(placed[n] for n in neighbours[node] if n in placed)
            if votes:
                placed[node] = _majority(votes)
                changed = True


def _group_new(touched: list[Node], neighbours: dict[Node, list[Node]], placed: dict[Node, Hashable]) -> None:
    waiting = {node for node in touched if node not in placed}
    index = 0
    for node in touched:
        if node not in waiting:
            continue
        marker = NewCommunity(index)
        index += 1
        stack = [node]
        while stack:  # everything connected to it through other homeless touched nodes
            current = stack.pop()
            if current not in waiting:
                continue
            waiting.discard(current)
            placed[current] = marker
            stack.extend(n for n in neighbours.get(current, []) if n in waiting)


def name_community(
    member_names_with_degrees: Iterable[tuple[str, int]],
    facts: Iterable[tuple[str, str, str]] | Iterable[str] | Mapping[str, int],
) -> tuple[str, str]:
    """(name, summary) without an LLM: named after its two best-connected members.

    `facts` tell which relationships the community holds: (source, relationship,
    target) triples, relationship names, or a {relationship name: count} mapping.
    """
    members = sorted(member_names_with_degrees, key=lambda m: (-m[1], m[0].casefold(), m[0]))
    if not members:
        return "Empty community", "This community has no members."
    name = " & ".join(m[0] for m in members[:2])
    shown = [m[0] for m in members[:3]]
    listed = _and_list(shown + ([f"{len(members) - 3} more"] if len(members) > 3 else []))
    counts = _relationship_counts(facts)
    common = sorted(counts, key=lambda r: (-counts[r], r))[:3]
    size = f"{len(members)} entit{'y' if len(members) == 1 else 'ies'}"
    summary = f"{size}: {listed}."
    if common:
        summary += f" Most common relationships: {', '.join(f'{r} ({counts[r]})' for r in common)}."
    return name, summary


def _relationship_counts(facts: Iterable[tuple[str, str, str]] | Iterable[str] | Mapping[str, int]) -> Counter[str]:
    if isinstance(facts, Mapping):
        return Counter(dict(facts))
    return Counter(fact if isinstance(fact, str) else fact[1] for fact in facts)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class PlannedCommunity:
    members: frozenset[Node]
    name: str
    summary: str


def plan_rebuild(
    names: Mapping[Node, str],
    relationships: Iterable[tuple[Node, Node, str]],
    *,
    seed: int = 42,
    namer: Namer = name_community,
    progress: Progress | None = None,
) -> list[PlannedCommunity]:
    """Everything a community rebuild computes, from entities `{key: name}` and (source, target, name) relationships.

    Edge weight is the number of relationships between two entities. `namer` can
    be an LLM's (adapt `LLMExtractor.summarize_community`); it is called once per
    community, so `progress` reports each call.
    """
    report = progress or (lambda percent, message: None)
    report(0, "Building the graph...")
    relationships = [r for r in relationships if r[0] in names and r[1] in names]
    degree: Counter[Node] = Counter()
    for source, target, _ in relationships:
        degree[source] += 1
        degree[target] += 1
    report(10, "Detecting communities...")
    groups = detect_communities(names, ((s, t, 1.0) for s, t, _ in relationships), seed=seed)
    home = {node: index for index, members in enumerate(groups) for node in members}
    inside: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for source, target, relationship in relationships:
        if home[source] == home[target]:
            inside[home[source]].append((names[source], relationship, names[target]))
    planned = []
    for done, members in enumerate(groups, start=1):
        ranked = sorted(members, key=lambda m: (-degree[m], stable_key(m)))
        name, summary = namer([(names[m], degree[m]) for m in ranked], inside[done - 1])
        planned.append(PlannedCommunity(frozenset(members), name, summary))
        report(10 + 90 * done // len(groups), f"Named {done} of {len(groups)} communities")
    report(100, f"{len(planned)} communities")
    return planned


class _Summarizer(Protocol):
    def summarize_community(self, member_names: Sequence[str], facts: Sequence[str]) -> tuple[str, str]: ...


def namer_from(summarizer: _Summarizer) -> Namer:
    """A `plan_rebuild` namer backed by an LLM (`LLMExtractor`): best-connected members first."""

    def name(members: list[tuple[str, int]], facts: list[tuple[str, str, str]]) -> tuple[str, str]:
        ranked = [m[0] for m in sorted(members, key=lambda m: (-m[1], m[0]))]
        return summarizer.summarize_community(ranked, [f"{s} {r} {t}" for s, r, t in facts])

    return name

"""Fixtures for the graph tests: a scripted OpenAI-compatible server, a port nobody listens on, and a seeded graph."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from apps.graph.models import Entity, EntityType, Mention, Relationship
from apps.graph.resolution import normalize_name
from apps.graph.services import ensure_default_types
from apps.memories.models import Memory, content_hash
from tests.graph.fake_llm import FakeLLM, QuietServer, Reply, handler_for


@pytest.fixture
def fake_llm() -> Iterator[Callable[[Callable[[int], Reply]], FakeLLM]]:
    servers: list[tuple[QuietServer, FakeLLM]] = []

    def start(script: Callable[[int], Reply]) -> FakeLLM:
        fake = FakeLLM(script)
        server = QuietServer(("127.0.0.1", 0), handler_for(fake))
        fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append((server, fake))
        return fake

    yield start
    for server, fake in servers:
        fake.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# -- a graph to browse and rebuild ----------------------------------------------------------


@dataclass
class SeededGraph:
    memory: Memory
    clusters: list[set[int]]  # entity ids, cluster by cluster

    @property
    def entity_ids(self) -> set[int]:
        return set().union(*self.clusters)


def seed(project, *, clusters: int, size: int, density: float = 0.3, seed: int = 7) -> SeededGraph:
    """`clusters` dense groups of `size` entities, one memory mentioning them all.

    Within a group: a ring (so it is connected) plus random chords. Between
    neighbouring groups: one current relationship, and many closed ones that
    would merge the groups if a rebuild counted them.
    """
    rng = random.Random(seed)
    ensure_default_types(project)
    types = [EntityType.objects.get(project=project, name=name) for name in ("Person", "Organization", "Concept")]
    text = f"Seeded graph of project {project.id}"
    memory = Memory.objects.create(
        project=project, title="Seed", content=text, content_hash=content_hash(text), processing_status="completed"
    )
    now = timezone.now()
    entities = Entity.objects.bulk_create(
        [
            Entity(
                project=project,
                name=f"Node {c:02d}-{i:02d}",
                normalized_name=normalize_name(f"Node {c:02d}-{i:02d}"),
                entity_type=types[i % len(types)],
                first_seen_at=now,
                last_seen_at=now,
            )
            for c in range(clusters)
            for i in range(size)
        ],
        batch_size=1000,
    )
    groups = [[e.id for e in entities[c * size : (c + 1) * size]] for c in range(clusters)]
    relationships = []
    for members in groups:
        for i, a in enumerate(members):
            for j in range(i + 1, len(members)):
                if j == i + 1 or rng.random() < density:
                    relationships.append(
                        Relationship(project=project, source_id=a, target_id=members[j], name="KNOWS", valid_at=now)
                    )
    for left, right in zip(groups, groups[1:]):
        relationships.append(
            Relationship(project=project, source_id=left[0], target_id=right[0], name="KNOWS", valid_at=now)
        )
        relationships += [
            Relationship(project=project, source_id=a, target_id=b, name="KNEW", valid_at=now, invalid_at=now)
            for a, b in zip(left, right)
        ]
    Relationship.objects.bulk_create(relationships, batch_size=2000)
    Mention.objects.bulk_create([Mention(memory=memory, entity=e) for e in entities], batch_size=2000)
    through = Relationship.episodes.through
    through.objects.bulk_create(
        [through(relationship_id=r.id, memory_id=memory.id) for r in relationships], batch_size=2000
    )
    return SeededGraph(memory, [set(group) for group in groups])


@pytest.fixture
def seed_graph(db):
    return seed


class GraphMaker:
    """Entities and relationships written directly, each mentioned by one memory (so none is an orphan)."""

    def __init__(self, project, title: str = "Meeting notes") -> None:
        ensure_default_types(project)
        self.project = project
        self.memory = Memory.objects.create(
            project=project,
            title=title,
            content=f"{title} of {project.id}",
            content_hash=content_hash(f"{title} of {project.id}"),
            processing_status="completed",
        )

    def entity(self, name: str, type_name: str = "Person", **fields) -> Entity:
        entity_type, _ = EntityType.objects.get_or_create(project=self.project, name=type_name)
        now = timezone.now()
        entity = Entity.objects.create(
            project=self.project,
            name=name,
            normalized_name=normalize_name(name),
            entity_type=entity_type,
            first_seen_at=now,
            last_seen_at=now,
            **fields,
        )
        Mention.objects.create(memory=self.memory, entity=entity, entity_type_name=type_name)
        return entity

    def relate(
        self, source: Entity, name: str, target: Entity, *, fact: str = "", closed: bool = False
    ) -> Relationship:
        now = timezone.now()
        relationship = Relationship.objects.create(
            project=self.project,
            source=source,
            target=target,
            name=name,
            fact=fact,
            valid_at=now,
            invalid_at=now if closed else None,
        )
        relationship.episodes.add(self.memory)
        return relationship


@pytest.fixture
def make_graph(db):
    return GraphMaker

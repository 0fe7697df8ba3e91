"""Fixtures for recall: memories ingested through the real pipeline, so their passages are real."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from apps.graph.models import Entity
from apps.memories import services as memory_services
from apps.memories.models import Memory
from apps.memories.tasks import ingest_memory
from apps.projects.models import Membership, Project, Role
from apps.projects.services import project_create
from tests.graph.conftest import closed_port_url, fake_llm  # noqa: F401 - fixtures shared with the graph tests

# A small project whose memories each answer one of the questions below, in English and Chinese.
NOTES = {
    "alice": ("Alice at work", "Alice Chen joined Acme Corporation as a data engineer. She builds pipelines in Rust."),
    "bob": ("Weekend", "Bob Martin spent the weekend hiking near Lake Tahoe and took photos of the sunrise."),
    "paris": ("Trip", "Carol moved to Paris last spring; she opened a small bakery that sells sourdough bread."),
    "beijing": ("北京", "张伟在北京的阿里巴巴工作，负责云计算平台。"),
    "football": ("周末", "李娜周末喜欢踢足球，也喜欢看电影。"),
}

QUESTIONS = [
    ("Which company did Alice join?", "alice"),
    ("Who went hiking at Lake Tahoe?", "bob"),
    ("Where is the bakery with sourdough bread?", "paris"),
    ("张伟在哪家公司工作？", "beijing"),
    ("谁喜欢踢足球？", "football"),
]


@dataclass
class Corpus:
    project: Project
    owner: User
    viewer: User
    outsider: User
    notes: dict[str, Memory]


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker) -> Iterator[Corpus]:
    """The NOTES ingested once per test module (ingestion is the slow part), committed, and
    removed after the module. Each test still runs in its own transaction, so what a test
    changes (a deleted memory) is rolled back before the next."""
    with django_db_blocker.unblock():
        tag = uuid.uuid4().hex[:8]
        owner, viewer, outsider = (
            User.objects.create_user(f"{role}-{tag}", password="correct horse battery")
            for role in ("owner", "viewer", "outsider")
        )
        project = project_create(owner=owner, name=f"Recall {tag}")
        Membership.objects.create(project=project, user=viewer, role=Role.VIEWER)
        project_create(owner=outsider, name=f"Elsewhere {tag}")
        notes = {}
        for day, (key, (title, content)) in enumerate(NOTES.items(), start=1):
            memory = memory_services.memory_create(
                project=project, author=owner, title=title, content=content, valid_at=datetime(2024, 5, day, tzinfo=UTC)
            )
            ingest_memory(str(memory.current_task_id))
            memory.refresh_from_db()
            notes[key] = memory
        try:
            yield Corpus(project, owner, viewer, outsider, notes)
        finally:
            # A project takes its memories, passages, graph and tasks with it, once its
            # entities (which protect their types) are gone.
            ids = list(Project.objects.filter(memberships__user__in=[owner, outsider]).values_list("pk", flat=True))
            Entity.objects.filter(project__in=ids).delete()
            Project.objects.filter(pk__in=ids).delete()
            User.objects.filter(pk__in=[owner.pk, viewer.pk, outsider.pk]).delete()

"""Run in a subprocess in the embedded mode (SQLite): index NOTES, ask QUESTIONS, print what came first.

Used by test_embedded.py; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from apps.memories.services import memory_create, memory_delete  # noqa: E402
from apps.memories.tasks import ingest_memory  # noqa: E402
from apps.projects.services import project_create  # noqa: E402
from apps.recall.search import SearchQuery, search  # noqa: E402
from tests.recall.conftest import NOTES, QUESTIONS  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("probe")
    project = project_create(owner=owner, name="Embedded")
    keys = {}
    for key, (title, content) in NOTES.items():
        memory = memory_create(project=project, author=owner, title=title, content=content)
        ingest_memory(str(memory.current_task_id))
        keys[str(memory.id)] = key
    answers = {}
    for question, _ in QUESTIONS:
        result = search(project=project, query=SearchQuery(q=question))
        answers[question] = [[keys[str(r.memory.id)], r.retrievers, r.highlights] for r in result.results]
    deleted = next(m for m, k in keys.items() if k == "bob")
    memory_delete(memory=project.memories.get(pk=deleted))
    after = [keys[str(r.memory.id)] for r in search(project=project, query=SearchQuery(q=QUESTIONS[1][0])).results]
    print(json.dumps({"vendor": connection.vendor, "answers": answers, "after_delete": after}))


if __name__ == "__main__":
    main()

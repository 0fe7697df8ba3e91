"""Rebuilding the recall index: after a change of model no old vector is left, as a task with progress."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from apps.recall import embeddings
from apps.recall.models import Passage
from apps.recall.schema import findings
from apps.recall.services import REINDEX, recall_reindex, reindex_request
from apps.tasks.jobs import JobRunning
from apps.tasks.models import Status, TaskLog
from apps.tasks.services import run_task


class RenamedWordLlama(embeddings.WordLlamaEmbedder):
    """The same vectors under another name: what a new model version looks like to the index."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "wordllama-next"


def test_a_reindex_after_a_model_change_leaves_no_vector_of_the_old_model(
    make_user, make_project, ingest, monkeypatch, django_capture_on_commit_callbacks
):
    owner = make_user()
    project = make_project(owner)
    for i, content in enumerate(["Dana plays the cello every evening.", "Eli repairs old bicycles. " * 60]):
        ingest(project, owner, title=f"n{i}", content=content)
    old_model = embeddings.get_embedder().name
    before = Passage.objects.filter(project=project).count()
    assert before >= 3 and set(Passage.objects.values_list("embedding_model", flat=True)) == {old_model}

    monkeypatch.setattr(embeddings, "build_embedder", RenamedWordLlama)
    embeddings._cached.cache_clear()
    try:
        stale = [f for f in findings(connection, {("recall", "0001_initial")}) if f.code == "STALE_RECALL_INDEX"]
        assert stale and stale[0].actual == old_model and stale[0].expected == "wordllama-next"

        with django_capture_on_commit_callbacks(execute=False):
            task = reindex_request(project=project, by=owner)
        run_task(str(task.id), recall_reindex, done_message="done")
        task.refresh_from_db()
        assert task.status == Status.COMPLETED, task.error
        assert task.result["memories"] == 2 and task.result["model"] == "wordllama-next"
        assert set(Passage.objects.filter(project=project).values_list("embedding_model", flat=True)) == {
            "wordllama-next"
        }
        assert Passage.objects.filter(project=project).count() == before
        assert [s.message for s in task.stages.order_by("progress")][-2:] == [
            "Indexed 2 of 2 memories",
            "Removing vectors of other models...",
        ]
        assert not [f for f in findings(connection, {("recall", "0001_initial")}) if f.code == "STALE_RECALL_INDEX"]
    finally:
        embeddings._cached.cache_clear()


def test_a_second_reindex_request_names_the_one_under_way(make_user, make_project, django_capture_on_commit_callbacks):
    project = make_project(make_user())
    with django_capture_on_commit_callbacks(execute=False):
        first = reindex_request(project=project, by=None)
        try:
            reindex_request(project=project, by=None)
        except JobRunning as running:
            assert running.task == first
        else:
            raise AssertionError("a second reindex was started")


def test_the_button_starts_a_reindex_task_and_the_page_shows_its_progress(
    make_user, make_project, client, django_capture_on_commit_callbacks
):
    owner = make_user()
    project = make_project(owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("recall:reindex", args=[project.id]), follow=True)
    task = TaskLog.objects.get(project=project, task_type=REINDEX)
    html = response.content.decode()
    assert "Rebuilding the recall index" in html
    assert str(task.id) in html  # the progress card follows this task's stream


def test_the_command_reindexes_every_project_and_waits_with_wait(make_user, make_project, ingest, capsys):
    owner = make_user()
    project = make_project(owner)
    memory = ingest(project, owner, content="Fay keeps bees on the roof.")
    Passage.objects.filter(memory=memory).delete()
    call_command("reindex", "--project", str(project.id), "--wait")
    out = capsys.readouterr().out
    assert "completed" in out
    assert Passage.objects.filter(memory=memory).exists()

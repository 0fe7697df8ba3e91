"""Batch import in process: the parent task's work, its children, cancel, the API and the pages.

The parent's work runs here as the worker would run it; its children are
finished here too, one by one (tests/memories/test_import_live.py runs it
all on real workers).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from apps.memories import services as memory_services
from apps.memories.imports import services as import_services
from apps.memories.imports import views as import_views
from apps.memories.imports.parsing import read_import
from apps.memories.imports.services import NOTHING_NEW_MESSAGE, import_run, import_start
from apps.memories.imports.tasks import batch_import
from apps.memories.models import Memory
from apps.memories.tasks import ingest_memory
from apps.tasks.models import Status, TaskLog, TaskStage
from apps.tasks.reporter import ProgressReporter
from apps.tasks.services import task_children_changed, task_retry
from tests.tasks.test_services import events_of

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]


def line(title: str = "Standup", content: str = "Alice Chen works at Acme Corp.", **fields) -> str:
    return json.dumps({"title": title, "content": content, **fields})


def numbered(count: int) -> str:
    return "\n".join(line(f"Note {n}", f"Note number {n} mentions Alice Chen.") for n in range(1, count + 1))


MIXED = "\n".join(
    [
        line("First", "Alice Chen works at Acme Corp."),  # 1 created
        '{"title": "Broken", "content": ',  # 2 malformed
        line("Known", "Bob Stone lives in Paris."),  # 3 duplicate of a memory already in the project
        json.dumps({"content": "No title here."}),  # 4 rejected: no title
        line("Second", "Carol Diaz founded Initech."),  # 5 created
        line("Again", "  Alice Chen works at Acme Corp.  "),  # 6 duplicate of line 1
        line("Long", "x" * 70),  # 7 rejected: over the content limit (60 in these tests)
        "[1, 2]",  # 8 rejected: not an object
        line("Typed", "Dan Ek joined.", content_type="pdf"),  # 9 rejected: bad content type
    ]
)


@pytest.fixture
def start(team, django_capture_on_commit_callbacks):
    def start_(text: str, *, format: str | None = None, author=None) -> TaskLog:
        with django_capture_on_commit_callbacks(execute=False):
            return import_start(
                project=team["project"], author=author or team["editor"], parsed=read_import(text=text, format=format)
            )

    return start_


@pytest.fixture
def run_parent(django_capture_on_commit_callbacks):
    def run(task: TaskLog) -> TaskLog:
        with django_capture_on_commit_callbacks(execute=True):
            batch_import(str(task.id))
        task.refresh_from_db()
        return task

    return run


@pytest.fixture
def finish_children(django_capture_on_commit_callbacks):
    def finish(task: TaskLog) -> TaskLog:
        for child in task.children.filter(status=Status.PENDING).order_by("created_at"):
            with django_capture_on_commit_callbacks(execute=True):
                ingest_memory(str(child.id))
        task.refresh_from_db()
        return task

    return finish


def outcomes(client, task: TaskLog, **query) -> list[dict]:
    """Every item's outcome from the API, page by page, without the fields it leaves empty."""
    items, url = [], reverse("api:memory-import-items", args=[task.id])
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        items += [
            {key: value for key, value in item.items() if value not in (None, "")}
            for item in response.json()["results"]
        ]
        url, query = response.json()["next"], {}
    return items


@pytest.fixture
def known_memory(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return memory_services.memory_create(
            project=team["project"], author=team["owner"], title="Paris", content="Bob Stone lives in Paris.",
            content_type="text", tags=[], source_description="", metadata={}, valid_at=None,
        )  # fmt: skip


# -- the parent's work ---------------------------------------------------------------


@override_settings(MEMORY_MAX_CONTENT_CHARS=60)
def test_it_reports_each_item_and_waits_for_the_memories_it_created(
    team, start, run_parent, finish_children, known_memory, api_client_for
):
    task = run_parent(start(MIXED))

    assert (task.status, task.expected_children, task.message) == ("processing", 2, "0 of 2 imported")
    first, second = (Memory.objects.get(project=team["project"], title=title) for title in ("First", "Second"))
    assert task.result == {"total": 9, "created": 2, "duplicates": 2, "rejected": 5}
    assert outcomes(api_client_for(team["viewer"]), task) == [
        {"line": 1, "title": "First", "status": "created", "memory_id": str(first.id)},
        {"line": 2, "status": "rejected", "reason": "Not valid JSON: Expecting value (column 32)."},
        {"line": 3, "title": "Known", "status": "duplicate", "existing_id": str(known_memory.id)},
        {"line": 4, "status": "rejected", "reason": "title: This field is required."},
        {"line": 5, "title": "Second", "status": "created", "memory_id": str(second.id)},
        {"line": 6, "title": "Again", "status": "duplicate", "existing_id": str(first.id)},
        {
            "line": 7,
            "title": "Long",
            "status": "rejected",
            "reason": "content: Content is 70 characters; the limit is 60. Nothing was saved. Split it into several memories; the Import page takes many at once (a JSON Lines file, or one text file per part).",
        },
        {"line": 8, "status": "rejected", "reason": "Expected an object with title and content, not an array."},
        {"line": 9, "title": "Typed", "status": "rejected", "reason": 'content_type: "pdf" is not a valid choice.'},
    ]
    # The items are read: none is left pending, and the payload holds only the counts.
    assert not task.import_items.filter(outcome="pending").exists() and task.payload["item_count"] == 9
    children = list(task.children.all())
    assert {child.subject_id for child in children} == {str(first.id), str(second.id)}
    assert first.author == team["editor"] and first.current_task.parent_id == task.id

    task = finish_children(task)
    assert (task.status, task.progress, task.message) == ("completed", 100, "2 of 2 imported")
    assert task.result["children"] == {"completed": 2} and task.result["created"] == 2
    assert set(Memory.objects.filter(pk__in=[first.id, second.id]).values_list("processing_status", flat=True)) == {
        "completed"
    }


def test_it_creates_in_batches_and_moves_the_parent_only_forward(start, run_parent, finish_children, monkeypatch):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 3)
    task = run_parent(start(numbered(8)))
    assert task.expected_children == 8 and task.children.count() == 8
    stages = list(TaskStage.objects.filter(task=task).values_list("message", flat=True))
    assert stages == ["Reading 8 items...", "Read 3 of 8 items", "Read 6 of 8 items"]

    task = finish_children(task)
    assert (task.status, task.message) == ("completed", "8 of 8 imported")
    states = [(kind, data["progress"], data["message"]) for kind, data in events_of(f"task-{task.id}")]
    progress = [value for _, value, _ in states]
    assert progress == sorted(progress) and states[-1] == ("completed", 100, "8 of 8 imported")
    assert ("progress", 50, "4 of 8 imported") in states


def test_it_completes_at_once_when_nothing_is_new(team, start, run_parent, known_memory):
    task = run_parent(start("\n".join([line("Known", "Bob Stone lives in Paris."), "{nope"])))
    assert (task.status, task.progress, task.message) == ("completed", 100, NOTHING_NEW_MESSAGE)
    assert (task.result["created"], task.result["duplicates"], task.result["rejected"]) == (0, 1, 1)
    assert not task.children.exists() and not task.import_items.filter(outcome="pending").exists()


def test_it_picks_up_where_a_dead_worker_left_it(
    team, start, run_parent, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 2)
    task = start(numbered(4))
    real_check, calls = import_services.validate_memory_fields, []

    def dies_at_the_third(fields):
        calls.append(fields["title"])
        if len(calls) == 3:
            raise SystemExit("the worker was killed")
        return real_check(fields)

    monkeypatch.setattr(import_services, "validate_memory_fields", dies_at_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        task.mark_started(worker="doomed")
        with pytest.raises(SystemExit):
            import_run(task, ProgressReporter(task))
    first_run = {str(memory_id) for memory_id in Memory.objects.values_list("id", flat=True)}
    assert len(first_run) == 2  # the first batch committed, the second did not

    # The sweeper puts the silent task back in the queue; it runs again.
    TaskLog.objects.filter(pk=task.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert task.mark_requeued(stale_before=timezone.now())
    monkeypatch.setattr(import_services, "validate_memory_fields", real_check)
    task = run_parent(task)

    items = list(task.import_items.order_by("position"))
    assert [item.outcome for item in items] == ["created"] * 4
    assert first_run <= {str(item.memory_id) for item in items}
    assert task.expected_children == 4 == task.children.count() == Memory.objects.count()


# -- cancel ------------------------------------------------------------------------------


def test_cancelling_the_parent_cancels_the_children_not_yet_done(
    team, start, run_parent, api_client_for, django_capture_on_commit_callbacks
):
    task = run_parent(start(numbered(3)))
    running = task.children.order_by("created_at").first()
    TaskLog.objects.filter(pk=running.pk).update(status=Status.PROCESSING)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(team["editor"]).post(f"/api/v1/tasks/{task.id}/cancel/")
    assert response.status_code == 202
    statuses = dict(task.children.values_list("id", "status"))
    assert sorted(statuses.values()) == ["cancelled", "cancelled", "processing"]
    task.refresh_from_db()
    assert task.status == "processing"  # until the running child stops at its next check

    # The running child stops at its next check, as the runner records it.
    with django_capture_on_commit_callbacks(execute=True):
        running.refresh_from_db()
        running.mark_cancelled()
        task_children_changed(task.id)
    task.refresh_from_db()
    assert task.status == "cancelled"
    assert task.result["children"] == {"cancelled": 3} and task.result["created"] == 3
    assert Memory.objects.filter(project=team["project"]).count() == 3  # kept


def test_a_cancel_while_reading_stops_it_and_cancels_the_children_started(team, start, run_parent, monkeypatch):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 3)
    monkeypatch.setattr(import_services, "CANCEL_CHECK_EVERY", 2)
    task = start(numbered(8))
    real_check = import_services.validate_memory_fields

    def cancelled_at_the_fourth(fields):
        if fields["title"] == "Note 4":
            # As if someone pressed Cancel just now (the cascade to children
            # is what the import itself must catch up on).
            TaskLog.objects.filter(pk=task.pk).update(cancel_requested_at=timezone.now())
        return real_check(fields)

    monkeypatch.setattr(import_services, "validate_memory_fields", cancelled_at_the_fourth)
    task = run_parent(task)

    assert task.status == "cancelled"
    assert (task.result["stopped_after"], task.result["created"], task.result["total"]) == (3, 3, 8)
    assert Memory.objects.count() == 3  # the batch in progress was rolled back
    assert set(task.children.values_list("status", flat=True)) == {"cancelled"}
    assert task.import_items.filter(outcome="pending").count() == 5  # a retry reads them


def test_a_retry_reads_again_the_items_of_an_import_that_stopped_half_way(
    team, start, run_parent, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_services, "BATCH_SIZE", 2)
    task = start(numbered(4) + "\n{nope")
    real_check = import_services.validate_memory_fields

    def cancelled_at_the_third(fields):
        if fields["title"] == "Note 3":
            TaskLog.objects.filter(pk=task.pk).update(cancel_requested_at=timezone.now())
        return real_check(fields)

    monkeypatch.setattr(import_services, "validate_memory_fields", cancelled_at_the_third)
    monkeypatch.setattr(import_services, "CANCEL_CHECK_EVERY", 1)
    task = run_parent(task)
    assert (task.status, task.result["stopped_after"]) == ("cancelled", 2)

    monkeypatch.setattr(import_services, "validate_memory_fields", real_check)
    with django_capture_on_commit_callbacks(execute=False):
        attempt = task_retry(task, by=team["editor"])
    attempt = run_parent(attempt)
    read = list(attempt.import_items.order_by("position").values_list("line", "outcome"))
    # What the first attempt created is there already; the rest is created now.
    assert read == [(1, "duplicate"), (2, "duplicate"), (3, "created"), (4, "created"), (5, "rejected")]
    assert attempt.result == {"total": 5, "created": 2, "duplicates": 2, "rejected": 1}
    assert Memory.objects.count() == 4 and attempt.children.count() == 2
    assert task.import_items.filter(outcome="pending").count() == 3  # the first attempt's record stays as it was


def test_an_import_read_to_the_end_is_not_read_again(team, start, run_parent):
    task = run_parent(start("{nope"))
    assert task.status == "completed"
    TaskLog.objects.filter(pk=task.pk).update(status=Status.PENDING)
    task = run_parent(task)
    assert task.status == "failed" and "already read" in task.error
    assert task.import_items.get().outcome == "rejected"


# -- the API -----------------------------------------------------------------------------


def post_import(client, team, **body):
    return client.post("/api/v1/memories/import/", {"project_id": str(team["project"].id), **body}, format="json")


def test_it_starts_an_import_and_answers_with_its_task(team, api_client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = post_import(api_client_for(team["editor"]), team, format="jsonl", content=numbered(2) + "\n{nope")
    assert response.status_code == 202
    body = response.json()
    task = TaskLog.objects.get(pk=body["task_id"])
    assert body == {
        "task_id": str(task.id),
        "items": 3,
        "stream_url": f"/api/v1/tasks/{task.id}/stream",
        "task_url": f"/api/v1/tasks/{task.id}/",
        "result_url": reverse("memories:import-result", args=[team["project"].id, task.id]),
        "items_url": f"/api/v1/memories/import/{task.id}/items/",
    }
    assert (task.task_type, task.status, task.created_by) == ("batch_import", "pending", team["editor"])
    assert task.subject_label == "Import of API upload (3 items)"
    assert task.payload["child_message"] == "{done} of {total} imported" and task.import_items.count() == 3
    assert not Memory.objects.exists()  # the worker creates them


def test_it_takes_a_json_array_and_uploaded_files(team, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        items = post_import(client, team, items=[json.loads(line()), "nope"])
        files = client.post(
            "/api/v1/memories/import/",
            {
                "project_id": str(team["project"].id),
                "file": [
                    SimpleUploadedFile("standup.md", b"# Standup\nAlice."),
                    SimpleUploadedFile("retro.txt", b"Bob."),
                ],
            },
            format="multipart",
        )
        one_file = client.post(
            "/api/v1/memories/import/",
            {
                "project_id": str(team["project"].id),
                "file": SimpleUploadedFile("notes.csv", b"title,content\nA,B\nC,D\n"),
            },
            format="multipart",
        )
    assert (items.status_code, items.json()["items"]) == (202, 2)
    assert (files.status_code, files.json()["items"]) == (202, 2)
    assert (one_file.status_code, one_file.json()["items"]) == (202, 2)
    labels = set(TaskLog.objects.values_list("subject_label", flat=True))
    assert labels == {"Import of JSON items (2 items)", "Import of 2 files (2 items)", "Import of notes.csv (2 items)"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"project_id": "00000000-0000-4000-8000-000000000000", "content": "{}"},
            "project_id",
            "No project with this id",
        ),
        ({"project_id": "nope", "content": "{}"}, "project_id", "Must be a valid UUID."),
        ({"format": "xml", "content": "{}"}, "format", '"xml" is not a valid choice.'),
        ({"content": ""}, "content", "There is nothing to import"),
        ({"items": []}, "items", "There is nothing to import"),
        ({"items": {"title": "A"}}, "items", "Expected a list"),
        ({"format": "json", "content": "[1,"}, "content", "Not valid JSON"),
        ({"format": "csv", "content": "title,body\nA,B"}, "content", "columns MemStack does not know: body"),
        ({}, "non_field_errors", "exactly one"),
        ({"content": "{}", "items": []}, "non_field_errors", "exactly one"),
    ],
)
def test_it_answers_bad_input_with_field_errors(team, api_client_for, body, field, message):
    response = api_client_for(team["editor"]).post(
        "/api/v1/memories/import/", {"project_id": str(team["project"].id), **body}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not TaskLog.objects.exists()


def test_it_refuses_imports_over_the_limits_before_creating_anything(team, api_client_for):
    client = api_client_for(team["editor"])
    with override_settings(IMPORT_MAX_ITEMS=2):
        too_many = post_import(client, team, content=numbered(3))
        too_many_items = post_import(client, team, items=[json.loads(line(str(n))) for n in range(3)])
    with override_settings(IMPORT_MAX_BYTES=1024 * 1024):
        too_big = post_import(client, team, format="csv", content="title,content\n" + "A,B\n" * 300_000)
        too_big_file = client.post(
            "/api/v1/memories/import/",
            {"project_id": str(team["project"].id), "file": SimpleUploadedFile("a.txt", b"x" * (1024 * 1024 + 1))},
            format="multipart",
        )
    with override_settings(IMPORT_MAX_BYTES=1000):
        # Far over the limit: refused from Content-Length, before the body is read.
        huge = post_import(client, team, content="x" * (1024 * 1024 + 5000))
    assert too_many.json() == {
        "content": ["The import has more than 2 items; the limit is 2. Split it into several imports."]
    }
    assert too_many_items.json()["items"][0].startswith("The import has more than 2 items")
    assert too_big.json() == {"content": ["The import is 1.1 MB; the limit is 1 MB. Split it into several imports."]}
    assert too_big_file.json() == {"file": ["The import is 1 MB; the limit is 1 MB. Split it into several imports."]}
    assert huge.status_code == 400 and "the limit is 0 MB" in huge.json()["non_field_errors"][0]
    assert not TaskLog.objects.exists()


def test_it_accepts_a_body_larger_than_djangos_form_data_limit(
    team, api_client_for, django_capture_on_commit_callbacks
):
    content = "\n".join(line(f"Note {n}", f"{n} " + "word " * 600) for n in range(1000))  # about 3 MB
    assert len(content) > 2.5 * 1024 * 1024
    with django_capture_on_commit_callbacks(execute=False):
        response = post_import(api_client_for(team["editor"]), team, content=content)
    assert response.status_code == 202 and response.json()["items"] == 1000


def test_it_answers_djangos_own_form_limits_with_field_errors(team, api_client_for):
    client = api_client_for(team["editor"])
    project_id = str(team["project"].id)
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        pasted = client.post(
            "/api/v1/memories/import/", {"project_id": project_id, "content": "x" * 2000}, format="multipart"
        )
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2):
        files = [SimpleUploadedFile(f"{n}.md", b"A") for n in range(3)]
        many = client.post("/api/v1/memories/import/", {"project_id": project_id, "file": files}, format="multipart")
    assert pasted.status_code == 400 and "send the import as JSON or as a file" in pasted.json()["content"][0]
    assert many.status_code == 400 and many.json() == {"file": ["At most 2 files per request; split the import."]}


@pytest.mark.parametrize("who", PEOPLE)
def test_it_applies_project_access_to_imports(team, api_client_for, who, django_capture_on_commit_callbacks):
    client = api_client_for(None if who == "anonymous" else team[who])
    with django_capture_on_commit_callbacks(execute=False):
        response = post_import(client, team, content=line())
    assert response.status_code == {"viewer": 403, "outsider": 400, "anonymous": 401}.get(who, 202)
    if who == "outsider":
        assert "project_id" in response.json()
    assert TaskLog.objects.exists() == (who in ("owner", "editor"))


# -- the pages -------------------------------------------------------------------------------


def import_url(team) -> str:
    return reverse("memories:import", args=[team["project"].id])


def test_it_imports_an_upload_and_goes_to_its_live_result_page(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    upload = SimpleUploadedFile("notes.jsonl", numbered(2).encode())
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(import_url(team), {"files": [upload], "format": ""})
    task = TaskLog.objects.get(task_type="batch_import")
    assert response.status_code == 302
    assert response.url == reverse("memories:import-result", args=[team["project"].id, task.id])
    page = client.get(response.url).content.decode()
    assert "Import of notes.jsonl (2 items)" in page
    assert 'role="progressbar"' in page and f"/api/v1/tasks/{task.id}/stream" in page and "data-track-task" in page


def test_it_imports_pasted_text(client, team, django_capture_on_commit_callbacks):
    client.force_login(team["editor"])
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(import_url(team), {"text": "title,content\nA,B\n", "format": "csv"})
    assert response.status_code == 302
    assert TaskLog.objects.get().subject_label == "Import of pasted text (1 item)"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Choose a file to import, or paste the items below."),
        ({"text": "title,content\nA,B\n"}, "Choose the format"),
        ({"text": "{}", "files": [SimpleUploadedFile("a.md", b"A")]}, "Upload files or paste items, not both."),
        ({"files": [SimpleUploadedFile("a.csv", b"a,b\n")]}, "columns MemStack does not know: a, b"),
        (
            {"files": [SimpleUploadedFile("a.jsonl", b"{}"), SimpleUploadedFile("b.csv", b"{}")]},
            "one JSON Lines, CSV or JSON file",
        ),
    ],
)
def test_it_shows_what_is_wrong_with_an_import(client, team, form, message):
    client.force_login(team["editor"])
    response = client.post(import_url(team), {"format": "", **form})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TaskLog.objects.exists()


@override_settings(IMPORT_MAX_ITEMS=1)
def test_the_page_states_the_limits(client, team):
    client.force_login(team["editor"])
    page = client.get(import_url(team)).content.decode()
    assert "At most 1 items and 10 MB per import." in page
    with override_settings(IMPORT_MAX_ITEMS=5000, IMPORT_MAX_BYTES=2_621_440):
        assert "At most 5,000 items and 2.5 MB per import." in client.get(import_url(team)).content.decode()
    response = client.post(import_url(team), {"text": numbered(2)})
    assert "The import has more than 1 items; the limit is 1." in response.content.decode()


@override_settings(MEMORY_MAX_CONTENT_CHARS=60)
def test_the_result_page_lists_each_item(client, team, start, run_parent, finish_children, known_memory):
    task = finish_children(run_parent(start(MIXED)))
    client.force_login(team["viewer"])  # viewers may read what was imported
    url = reverse("memories:import-result", args=[team["project"].id, task.id])
    page = client.get(url).content.decode()
    assert "Import finished: 2 imported, 2 skipped as duplicates, 5 rejected of 9." in page
    assert "data-track-task" not in page
    assert "Created: 2" in page and "Duplicates (skipped): 2" in page and "Rejected: 5" in page
    assert page.count('data-outcome="rejected"') == 5
    assert 'data-line="4" data-outcome="rejected"' in page and "title: This field is required." in page
    assert "Skipped: the same content is already in" in page and "“Paris”" in page

    rejected = client.get(url, {"outcome": "rejected"}).content.decode()
    assert rejected.count("data-outcome=") == 5 and 'data-outcome="created"' not in rejected


@pytest.mark.parametrize("who", PEOPLE)
def test_it_applies_project_access_to_the_pages(client, team, who, start):
    task = start(line())
    if who != "anonymous":
        client.force_login(team[who])
    form = client.get(import_url(team))
    result = client.get(reverse("memories:import-result", args=[team["project"].id, task.id]))
    expected = {"viewer": 403, "outsider": 404, "anonymous": 302}.get(who, 200)
    assert form.status_code == expected
    assert result.status_code == {"viewer": 200}.get(who, expected)


# -- the items' outcomes, page by page ----------------------------------------------------


@override_settings(MEMORY_MAX_CONTENT_CHARS=60)
def test_the_terminal_event_carries_the_counts_not_the_items(team, start, run_parent, finish_children, known_memory):
    task = finish_children(run_parent(start(MIXED)))
    counts = {"total": 9, "created": 2, "duplicates": 2, "rejected": 5, "children": {"completed": 2}}
    for channel in (f"task-{task.id}", f"project-{team['project'].id}"):
        ends = [data for kind, data in events_of(channel) if data["task_id"] == str(task.id) and kind != "progress"]
        assert [data["status"] for data in ends] == ["completed"]
        assert ends[0]["result"] == counts
    assert task.result == counts


def test_the_api_pages_through_the_outcomes_and_filters_them(team, start, run_parent, api_client_for):
    # 120 items: the 1st and every 10th create a memory, the others are not objects.
    text = "\n".join(line(f"Note {n}", f"Note {n} mentions Alice.") if n % 10 == 1 else "[1]" for n in range(1, 121))
    task = run_parent(start(text))
    client = api_client_for(team["viewer"])
    url = reverse("api:memory-import-items", args=[task.id])

    first = client.get(url).json()
    assert first["count"] == 120 and len(first["results"]) == 50 and first["next"]
    assert [item["line"] for item in first["results"]] == list(range(1, 51))
    assert first["results"][0] == {
        "line": 1, "source": "", "title": "Note 1", "status": "created", "reason": "",
        "memory_id": str(Memory.objects.get(title="Note 1").id), "existing_id": None,
    }  # fmt: skip
    assert [item["line"] for item in outcomes(client, task)] == list(range(1, 121))
    created = outcomes(client, task, outcome="created")
    assert [item["line"] for item in created] == list(range(1, 121, 10))
    assert {item["status"] for item in outcomes(client, task, outcome="rejected")} == {"rejected"}

    bad = client.get(url, {"outcome": "exploded"})
    assert bad.status_code == 400 and "outcome" in bad.json()
    assert client.get(url, {"page": 9}).status_code == 404  # DRF's answer for a page past the end


@pytest.mark.parametrize("who", PEOPLE)
def test_it_applies_project_access_to_the_outcomes(team, start, api_client_for, who):
    task = start(line())
    response = api_client_for(None if who == "anonymous" else team[who]).get(
        reverse("api:memory-import-items", args=[task.id])
    )
    assert response.status_code == {"outsider": 404, "anonymous": 401}.get(who, 200)


def test_the_result_page_pages_through_the_outcomes_keeping_the_filter(client, team, start, run_parent, monkeypatch):
    monkeypatch.setattr(import_views, "ITEMS_PER_PAGE", 4)
    text = "\n".join(line(f"Note {n}", f"Note {n} mentions Alice.") if n % 2 else "[1]" for n in range(1, 12))
    task = run_parent(start(text))  # lines 1, 3, ... 11 created; 2, 4, ... 10 rejected
    client.force_login(team["viewer"])
    url = reverse("memories:import-result", args=[team["project"].id, task.id])

    first = client.get(url).content.decode()
    assert "All: 11" in first and "Page 1 of 3" in first and first.count("data-outcome=") == 4
    assert "?page=2" in first

    rejected = client.get(url, {"outcome": "rejected"}).content.decode()
    assert "Page 1 of 2" in rejected and "?outcome=rejected&amp;page=2" in rejected
    second = client.get(url, {"outcome": "rejected", "page": 2}).content.decode()
    assert 'data-line="10" data-outcome="rejected"' in second
    assert second.count('data-outcome="rejected"') == 1 and 'data-outcome="created"' not in second

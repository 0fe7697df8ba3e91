"""Exporting a project's memories: the files (a JSON Lines round trip through the
import, a Markdown zip), the task's progress, who may start and download,
expiry and clean-up. The task runs here as the worker would run it
(tests/memories/test_exports_live.py runs it on a real worker)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone
from rest_framework.test import APIClient

from apps.agents.services import key_create
from apps.memories import services as memory_services
from apps.memories.exports import services as export_services
from apps.memories.exports.selectors import EXPORT, export_path
from apps.memories.exports.services import export_request, export_run, exports_clean
from apps.memories.exports.tasks import export_memories
from apps.memories.imports.parsing import read_import
from apps.memories.imports.services import import_start
from apps.memories.imports.tasks import batch_import
from apps.memories.models import Memory
from apps.projects.deletion import project_delete_request
from apps.projects.tasks import delete_project
from apps.tasks.jobs import JobRunning
from apps.tasks.models import Status, TaskLog, TaskStage
from apps.tasks.reporter import ProgressReporter, TaskCancelled

PEOPLE = ["owner", "editor", "viewer", "outsider", "anonymous"]
COMPARED = ("title", "content", "content_type", "tags", "source_description", "metadata", "valid_at")

VARIED = [
    {"title": "Standup", "content": "Alice Chen works at Acme Corp.", "tags": ["work", "team"]},
    {
        "title": "Standup",  # the same title again, another day
        "content": "Bob Stone moved to Paris.\n\nHe starts on Monday.",
        "valid_at": datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    },
    {
        "title": "会议记录",
        "content": "张伟在北京的阿里巴巴工作。\u2028第二行",  # U+2028 is legal inside a JSON string
        "content_type": "markdown",
        "tags": ["中文"],
        "source_description": "微信",
    },
    {
        "title": "Config",
        "content": '{"retries": 3, "note": "```fenced```"}',
        "content_type": "json",
        "metadata": {"source": {"app": "cli", "version": 2}, "ok": True},
    },
    {
        "title": "Chat",
        "content": "  user: hi\nassistant: hello  ",
        "content_type": "conversation",
        "valid_at": datetime(1975, 1, 1, tzinfo=UTC),  # before zip's epoch
    },
    {"title": "../../etc/passwd", "content": "A title that is no path."},
]


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


@pytest.fixture
def add(django_capture_on_commit_callbacks):
    """Memories as a user adds them (their ingestion is not run: an export does not need it)."""

    def add_(project, author, items):
        with django_capture_on_commit_callbacks(execute=False):
            return [memory_services.memory_create(project=project, author=author, **item) for item in items]

    return add_


@pytest.fixture
def run_export(django_capture_on_commit_callbacks):
    def run(project, user, format: str) -> TaskLog:
        with django_capture_on_commit_callbacks(execute=False):
            task = export_request(project=project, by=user, format=format)
        with django_capture_on_commit_callbacks(execute=True):
            export_memories(str(task.id))
        task.refresh_from_db()
        return task

    return run


def body(response) -> bytes:
    """A file response's bytes (an async stream: the test client is synchronous)."""

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(read)()


def fields_of(project) -> list[dict]:
    rows = Memory.objects.filter(project=project).values(*COMPARED)
    return sorted(rows, key=lambda row: (row["title"], row["content"]))


def test_it_round_trips_through_the_import(team, make_project, add, run_export, django_capture_on_commit_callbacks):
    project = team["project"]
    add(project, team["editor"], VARIED)
    task = run_export(project, team["owner"], "jsonl")
    assert task.status == Status.COMPLETED, task.error
    text = export_path(task).read_text(encoding="utf-8")
    assert text.count("\n") == len(VARIED)  # one line each, whatever is in the content

    fresh = make_project(team["owner"], name="Copy")
    parsed = read_import(text=text, format="jsonl")
    with django_capture_on_commit_callbacks(execute=False):
        imported = import_start(project=fresh, author=team["owner"], parsed=parsed)
        batch_import(str(imported.id))
    imported.refresh_from_db()
    assert imported.result["created"] == len(VARIED) and imported.result["rejected"] == 0

    assert fields_of(fresh) == fields_of(project)


def test_each_line_carries_exactly_what_the_import_reads(team, add, run_export):
    add(team["project"], team["editor"], VARIED[:1])
    task = run_export(team["project"], team["owner"], "jsonl")
    record = json.loads(export_path(task).read_text(encoding="utf-8"))
    assert set(record) == set(COMPARED)
    assert record["tags"] == ["work", "team"] and record["content_type"] == "text"
    assert task.result["memories"] == 1 and task.result["format"] == "jsonl"
    assert task.result["filename"] == f"research-{timezone.localdate():%Y-%m-%d}.jsonl"


def test_it_writes_one_markdown_file_per_memory_in_a_zip(team, add, run_export):
    project = team["project"]
    project.name = "研究 Notes"
    project.save(update_fields=["name"])
    memories = add(project, team["editor"], VARIED)
    task = run_export(project, team["owner"], "markdown")
    assert task.status == Status.COMPLETED, task.error
    assert task.result["filename"].endswith(".zip") and task.result["filename"].startswith("研究-notes-")

    with zipfile.ZipFile(export_path(task)) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        files = {name: archive.read(name).decode("utf-8") for name in names}
    today = f"{memories[0].valid_at:%Y-%m-%d}"
    assert sorted(names) == sorted(
        [
            f"研究-notes/{today}-standup.md",
            "研究-notes/2021-03-04-standup.md",
            f"研究-notes/{today}-会议记录.md",
            f"研究-notes/{today}-config.md",
            "研究-notes/1975-01-01-chat.md",
            f"研究-notes/{today}-etcpasswd.md",
        ]
    )
    chinese = files[f"研究-notes/{today}-会议记录.md"]
    assert chinese.startswith('---\ntitle: "会议记录"\ndate: "')
    assert 'type: "markdown"\ntags: ["中文"]\nsource: "微信"\n' in chinese
    assert chinese.endswith("---\n\n张伟在北京的阿里巴巴工作。\u2028第二行\n")
    config = files[f"研究-notes/{today}-config.md"]
    head = dict(line.split(": ", 1) for line in config.split("---\n")[1].splitlines())
    assert json.loads(head["metadata"]) == {"source": {"app": "cli", "version": 2}, "ok": True}
    assert config.endswith('````json\n{"retries": 3, "note": "```fenced```"}\n````\n')  # a fence longer than any inside
    assert 'date: "2021-03-04T05:06:07.891011+00:00"' in files["研究-notes/2021-03-04-standup.md"]


def test_names_stay_unique_for_titles_that_differ_only_in_case(team, add, run_export):
    add(
        team["project"],
        team["editor"],
        [{"title": title, "content": f"Note {n}"} for n, title in enumerate(["Plan", "plan", "PLAN", "", "!!!"])],
    )
    task = run_export(team["project"], team["owner"], "markdown")
    with zipfile.ZipFile(export_path(task)) as archive:
        stems = sorted(name.split("/", 1)[1][11:] for name in archive.namelist())
    assert stems == ["memory-2.md", "memory.md", "plan-2.md", "plan-3.md", "plan.md"]


def test_it_reports_progress_as_it_goes(team, add, run_export, monkeypatch):
    monkeypatch.setattr(export_services, "REPORT_EVERY", 2)
    monkeypatch.setattr(export_services, "REPORT_SECONDS", 0)
    add(team["project"], team["editor"], [{"title": f"N{n}", "content": f"Note {n}"} for n in range(7)])
    task = run_export(team["project"], team["owner"], "jsonl")
    stages = list(TaskStage.objects.filter(task=task).order_by("id").values_list("progress", "message"))
    assert stages == [
        (1, "Exporting 7 memories..."),
        (29, "Exported 2 of 7 memories"),
        (57, "Exported 4 of 7 memories"),
        (85, "Exported 6 of 7 memories"),
    ]
    assert (task.progress, task.message, task.result["memories"]) == (100, "Export completed", 7)


def test_reports_after_the_first_wait_a_while(team, add, run_export, monkeypatch):
    monkeypatch.setattr(export_services, "REPORT_EVERY", 2)
    monkeypatch.setattr(export_services, "REPORT_SECONDS", 3600)
    add(team["project"], team["editor"], [{"title": f"N{n}", "content": f"Note {n}"} for n in range(7)])
    task = run_export(team["project"], team["owner"], "jsonl")
    messages = list(TaskStage.objects.filter(task=task).order_by("id").values_list("message", flat=True))
    assert messages == ["Exporting 7 memories...", "Exported 2 of 7 memories"]


def test_an_empty_project_exports_an_empty_file(team, run_export):
    task = run_export(team["project"], team["owner"], "jsonl")
    assert task.status == Status.COMPLETED and task.result["memories"] == 0
    assert export_path(task).read_text() == ""


def test_a_cancel_stops_it_and_leaves_no_file(team, add, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(export_services, "REPORT_EVERY", 1)
    add(team["project"], team["editor"], VARIED)
    with django_capture_on_commit_callbacks(execute=False):
        task = export_request(project=team["project"], by=team["owner"], format="markdown")
    assert task.mark_started(worker="here")

    class CancelledOnceStarted(ProgressReporter):
        def stage(self, progress, message):
            super().stage(progress, message)
            TaskLog.objects.filter(pk=task.pk).update(cancel_requested_at=timezone.now())

    with pytest.raises(TaskCancelled):
        export_run(task, CancelledOnceStarted(task))
    task.refresh_from_db()
    assert task.progress == 1  # it had started writing
    assert list(export_path(task).parent.iterdir()) == []


def test_one_export_per_format_at_a_time(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = export_request(project=team["project"], by=team["owner"], format="jsonl")
        with pytest.raises(JobRunning) as running:
            export_request(project=team["project"], by=team["owner"], format="jsonl")
        other = export_request(project=team["project"], by=team["owner"], format="markdown")
    assert running.value.task == first and other != first


# -- pages --------------------------------------------------------------------------


def login(client, team, person):
    if person != "anonymous":
        client.force_login(team[person])


@pytest.mark.parametrize("person", PEOPLE)
def test_the_export_page_is_for_members(client, team, person):
    login(client, team, person)
    response = client.get(f"/project/{team['project'].id}/export/")
    expected = {"outsider": 404, "anonymous": 302}.get(person, 200)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "JSON Lines: every field, to import into a project again" in page and "Start export" in page


def test_the_project_page_has_an_export_button(client, team):
    login(client, team, "viewer")
    page = client.get(f"/project/{team['project'].id}/").content.decode()
    assert f'href="/project/{team["project"].id}/export/">Export…</a>' in page


def test_a_viewer_starts_an_export_and_follows_it(client, team, django_capture_on_commit_callbacks):
    login(client, team, "viewer")
    url = f"/project/{team['project'].id}/export/"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"format": "markdown"})
    task = TaskLog.objects.get(task_type=EXPORT)
    assert response.status_code == 302 and response.url == f"{url}{task.id}/"
    assert task.payload == {"format": "markdown"} and task.created_by == team["viewer"]
    page = client.get(response.url).content.decode()
    assert "progress-card" in page and f"/api/v1/tasks/{task.id}/stream" in page
    assert "data-cancel" in page and "cancel_url" not in page  # a viewer may not cancel

    again = client.post(url, {"format": "markdown"}, follow=True)
    assert again.redirect_chain[-1][0] == f"{url}{task.id}/"
    assert "already pending" in again.content.decode()


def test_a_bad_format_is_a_field_error(client, team):
    login(client, team, "owner")
    response = client.post(f"/project/{team['project'].id}/export/", {"format": "pdf"})
    assert response.status_code == 200
    assert "Select a valid choice. pdf is not one of the available choices." in response.content.decode()
    assert not TaskLog.objects.filter(task_type=EXPORT).exists()


@pytest.mark.parametrize("person", PEOPLE)
def test_only_members_download(client, team, add, run_export, person):
    add(team["project"], team["editor"], VARIED[:2])
    task = run_export(team["project"], team["editor"], "jsonl")
    login(client, team, person)
    response = client.get(f"/project/{team['project'].id}/export/{task.id}/download/")
    expected = {"outsider": 404, "anonymous": 302}.get(person, 200)
    assert response.status_code == expected
    if expected == 200:
        data = body(response)
        assert data == export_path(task).read_bytes() and len(data.splitlines()) == 2
        assert response["Content-Type"] == "application/x-ndjson"
        assert response["Content-Disposition"] == f'attachment; filename="{task.result["filename"]}"'
        assert response["Content-Length"] == str(len(data))
    if person == "outsider":  # nor the page
        assert client.get(f"/project/{team['project'].id}/export/{task.id}/").status_code == 404


def test_an_export_of_another_project_is_not_found_under_this_one(client, team, make_project, add, run_export):
    mine = make_project(team["owner"], name="Mine")
    add(mine, team["owner"], VARIED[:1])
    task = run_export(mine, team["owner"], "jsonl")
    login(client, team, "owner")
    assert client.get(f"/project/{team['project'].id}/export/{task.id}/download/").status_code == 404
    assert client.get(f"/project/{mine.id}/export/{task.id}/download/").status_code == 200


def test_the_finished_export_offers_its_file(client, team, add, run_export):
    add(team["project"], team["editor"], VARIED)
    task = run_export(team["project"], team["owner"], "markdown")
    login(client, team, "viewer")
    page = client.get(f"/project/{team['project'].id}/export/{task.id}/").content.decode()
    assert "Export ready" in page and "6 memories" in page and "progress-card" in page
    assert f'href="/project/{team["project"].id}/export/{task.id}/download/" download>Download research-' in page
    listing = client.get(f"/project/{team['project'].id}/export/").content.decode()
    assert "Recent exports" in listing and task.result["filename"] in listing


def test_an_expired_export_says_so_and_its_file_is_cleaned_up(client, team, add, run_export, export_dir):
    add(team["project"], team["editor"], VARIED[:2])
    task = run_export(team["project"], team["owner"], "jsonl")
    path = export_path(task)
    TaskLog.objects.filter(pk=task.pk).update(completed_at=timezone.now() - timedelta(hours=7 * 24, minutes=1))
    login(client, team, "owner")
    response = client.get(f"/project/{team['project'].id}/export/{task.id}/download/", follow=True)
    assert "This export has expired and its file was removed; start a new one." in response.content.decode()
    assert path.exists()  # until the clean-up runs

    fresh = run_export(team["project"], team["owner"], "markdown")
    (export_dir / "not-an-export").mkdir()  # EXPORT_DIR may be shared: only exports' own files go
    (export_dir / "not-an-export" / "keep.txt").write_text("mine")
    gone = export_dir / "00000000-0000-0000-0000-000000000000"
    gone.mkdir()
    (gone / "00000000-0000-0000-0000-000000000002.jsonl").write_text("{}")
    stray = path.parent / "00000000-0000-0000-0000-000000000001.jsonl"
    stray.write_text("{}")
    report = exports_clean()
    assert not path.exists() and not stray.exists() and not gone.exists()
    assert export_path(fresh).exists() and (export_dir / "not-an-export" / "keep.txt").exists()
    assert len(report.removed) == 3


def test_a_part_file_stays_while_its_export_runs(team, run_export, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        task = export_request(project=team["project"], by=team["owner"], format="jsonl")
    task.mark_started(worker="here")
    part = export_path(task).with_name(f"{export_path(task).name}.1.part")
    part.parent.mkdir(parents=True)
    part.write_text("half")
    exports_clean()
    assert part.exists()
    TaskLog.objects.filter(pk=task.pk).update(status=Status.FAILED)
    exports_clean()
    assert not part.exists()


def test_deleting_the_project_removes_its_exports(team, add, run_export, django_capture_on_commit_callbacks):
    project = team["project"]
    add(project, team["editor"], VARIED[:1])
    folder = export_path(run_export(project, team["owner"], "jsonl")).parent
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=False):
        deletion = project_delete_request(project=project, by=team["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        delete_project(str(deletion.id))
    assert not folder.exists()


# -- API ------------------------------------------------------------------------------


@pytest.mark.parametrize("person", PEOPLE)
def test_the_api_starts_an_export_for_members(api_client_for, team, person, django_capture_on_commit_callbacks):
    project = team["project"]
    with django_capture_on_commit_callbacks(execute=False):
        response = api_client_for(team.get(person)).post(
            f"/api/v1/projects/{project.id}/export/", {"format": "jsonl"}, format="json"
        )
    expected = {"outsider": 404, "anonymous": 401}.get(person, 202)
    assert response.status_code == expected, response.content
    if expected == 202:
        task_id = response.json()["task_id"]
        assert response.json() == {
            "task_id": task_id,
            "task_url": f"/api/v1/tasks/{task_id}/",
            "stream_url": f"/api/v1/tasks/{task_id}/stream",
            "download_url": f"/api/v1/projects/{project.id}/export/{task_id}/download/",
        }
    else:
        assert not TaskLog.objects.filter(task_type=EXPORT).exists()


def test_the_api_refuses_a_bad_format_and_a_second_export(api_client_for, team, django_capture_on_commit_callbacks):
    client = api_client_for(team["owner"])
    url = f"/api/v1/projects/{team['project'].id}/export/"
    bad = client.post(url, {"format": "pdf"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"format": ['"pdf" is not a valid choice.']}
    assert client.post(url, {}, format="json").json() == {"format": ["This field is required."]}
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(url, {"format": "jsonl"}, format="json").json()["task_id"]
    second = client.post(url, {"format": "jsonl"}, format="json")
    assert second.status_code == 409 and second.json()["task_id"] == first

    pending = client.get(f"{url}{first}/download/", HTTP_ACCEPT="application/zip")
    assert pending.status_code == 409 and pending.json()["status"] == "pending"


@pytest.mark.parametrize("person", PEOPLE)
def test_the_api_download_is_for_members(api_client_for, team, add, run_export, person):
    add(team["project"], team["editor"], VARIED)
    task = run_export(team["project"], team["owner"], "markdown")
    response = api_client_for(team.get(person)).get(f"/api/v1/projects/{team['project'].id}/export/{task.id}/download/")
    expected = {"outsider": 404, "anonymous": 401}.get(person, 200)
    assert response.status_code == expected
    if expected == 200:
        archive = zipfile.ZipFile(io.BytesIO(body(response)))
        assert len(archive.namelist()) == len(VARIED) and response["Content-Type"] == "application/zip"


def test_the_api_download_of_an_expired_export_is_gone(api_client_for, team, run_export):
    task = run_export(team["project"], team["owner"], "jsonl")
    export_path(task).unlink()
    response = api_client_for(team["owner"]).get(f"/api/v1/projects/{team['project'].id}/export/{task.id}/download/")
    assert response.status_code == 410 and "expired" in response.json()["detail"]


def test_the_task_reads_as_an_export(client, team, add, run_export):
    add(team["project"], team["editor"], VARIED[:2])
    task = run_export(team["project"], team["owner"], "jsonl")
    login(client, team, "owner")
    page = client.get(f"/tasks/{task.id}/").content.decode()
    assert "Export: JSON Lines export of Research" in page
    assert "2 memories as JSON Lines" in page
    assert f'href="/project/{team["project"].id}/export/{task.id}/"' in page


def test_a_project_key_exports_its_own_project_only(
    team, make_project, add, run_export, django_capture_on_commit_callbacks
):
    """A read key may export (it may read every memory anyway); another project's export is not found."""
    secret = key_create(project=team["project"], created_by=team["editor"], name="backup", scope="read")[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(f"/api/v1/projects/{team['project'].id}/export/", {"format": "jsonl"}, format="json")
    assert started.status_code == 202
    elsewhere = make_project(team["editor"], name="Elsewhere too")
    add(elsewhere, team["editor"], VARIED[:1])
    other = run_export(elsewhere, team["editor"], "jsonl")
    assert client.get(f"/api/v1/projects/{elsewhere.id}/export/{other.id}/download/").status_code == 404
    assert (
        client.post(f"/api/v1/projects/{elsewhere.id}/export/", {"format": "jsonl"}, format="json").status_code == 404
    )

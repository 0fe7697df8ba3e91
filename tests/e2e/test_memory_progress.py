"""The New Memory page in a real browser: the live progress card, from the
first "Queued" to the list page, and what a user sees when ingestion fails,
when the connection drops, without JavaScript and with a field error.

Everything runs for real: Debian's chromium, uvicorn, a Celery worker,
PostgreSQL and Redis.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from apps.memories.models import Memory
from apps.tasks.models import TaskLog
from tests.live import start_celery_worker
from tests.stages import COMPLETED, INGESTION_STAGES

pytestmark = pytest.mark.live

TIMEOUT_MS = 60_000
TITLE = "Team news"
CONTENT = "Alice Chen works at Acme Corp."
STAGES = [message for _, message in (*INGESTION_STAGES, COMPLETED)]
# The card's state after every change the page makes to it (see record_card).
RECORD_CARD = """
document.addEventListener("DOMContentLoaded", function () {
  const card = document.getElementById("progress-card");
  if (!card) return;
  const bar = card.querySelector("[role=progressbar]");
  let last = "";
  new MutationObserver(function () {
    const state = {
      visible: !card.hidden,
      valuenow: bar.getAttribute("aria-valuenow"),
      valuetext: bar.getAttribute("aria-valuetext"),
      percent: card.querySelector("[data-percent]").textContent,
      message: card.querySelector("[data-message]").textContent,
    };
    const key = JSON.stringify(state);
    if (key !== last) {
      last = key;
      window.recordCard(state);
    }
  }).observe(card, { subtree: true, childList: true, characterData: true, attributes: true });
});
"""


def record_card(page: Page) -> list[dict]:
    """Every state the progress card shows from now on, in order, across navigations."""
    seen: list[dict] = []

    def record(state: dict) -> None:
        seen.append(state)

    page.expose_function("recordCard", record)
    page.add_init_script(RECORD_CARD)
    return seen


def new_memory_url(project) -> str:
    return f"/project/{project.id}/memories/new/"


def list_url_pattern(project) -> re.Pattern:
    return re.compile(rf"/project/{project.id}/memories/$")


def detail_url_pattern(project) -> re.Pattern:
    return re.compile(rf"/project/{project.id}/memories/[0-9a-f-]{{36}}/$")


def submit_memory(page: Page, project, *, title: str = TITLE, content: str = CONTENT) -> None:
    page.goto(new_memory_url(project))
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("Content:", exact=True).fill(content)
    page.get_by_role("button", name="Save Memory").click()


def messages_of(seen: list[dict]) -> list[str]:
    """The stage messages the card showed, in order (a state shown twice in a row counts once)."""
    messages: list[str] = []
    for state in seen:
        if not messages or messages[-1] != state["message"]:
            messages.append(state["message"])
    return messages


def wait_for_list(page: Page, project, server, seen: list[dict]) -> None:
    """Wait for the page to move on to the list; on a timeout, say what the card and the server did."""
    try:
        page.wait_for_url(list_url_pattern(project), timeout=TIMEOUT_MS)
    except PlaywrightTimeoutError:
        raise AssertionError(f"still on {page.url}; the card showed {seen}\n{server.log_tail()}") from None


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.shared_uvicorn
def test_it_shows_every_stage_then_lands_on_the_list(logged_in_page, uvicorn_server, celery_worker, member_project):
    page, project = logged_in_page, member_project["project"]
    seen = record_card(page)
    submit_memory(page, project)

    card = page.locator("#progress-card")
    expect(card).to_be_visible()
    expect(page.locator("form[data-memory-form]")).to_be_hidden()
    expect(card.get_by_role("heading")).to_have_text(f"Ingesting “{TITLE}”")
    bar = card.get_by_role("progressbar", name="Ingestion progress")
    expect(bar).to_have_attribute("aria-valuemin", "0")
    expect(bar).to_have_attribute("aria-valuemax", "100")

    wait_for_list(page, project, uvicorn_server, seen)

    # The card showed up at once, before any event: queued at 0%.
    assert seen[0] == {"visible": True, "valuenow": "0", "valuetext": None, "percent": "0%", "message": "Queued"}
    # Then the stages in order, never backwards, ending at 100%. A client
    # that connects after the worker has started begins at the current
    # stage, so early stages may be skipped (rarely: this usually sees all).
    shown = messages_of(seen)
    assert shown == ["Queued", *[message for message in STAGES if message in shown]], seen
    assert seen[-1] == {
        "visible": True,
        "valuenow": "100",
        "valuetext": "100% Episode ingestion completed",
        "percent": "100%",
        "message": "Episode ingestion completed",
    }
    assert all(state["percent"] == f"{state['valuenow']}%" for state in seen), seen

    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row.locator("[data-status]")).to_have_text("completed")


# A server of its own: it stops and starts it.
def test_it_survives_a_dropped_connection(logged_in_page, uvicorn_server, live_postgres_env, member_project):
    # No worker yet: the task waits in the queue while the web process restarts.
    page, project = logged_in_page, member_project["project"]
    seen = record_card(page)
    submit_memory(page, project, title="Restart")
    card = page.locator("#progress-card")
    expect(card).to_be_visible()
    expect(card.locator("[data-message]")).to_have_text("Queued")
    expect(card.get_by_role("button", name="Cancel")).to_be_visible()
    task_id = Memory.objects.get(project=project, title="Restart").current_task_id

    uvicorn_server.stop()
    # Ingestion runs to the end while no web process is there to stream it.
    with start_celery_worker(live_postgres_env):
        wait_until(lambda: TaskLog.objects.get(pk=task_id).is_finished)
    uvicorn_server.start()

    # EventSource reconnects by itself and catches up with what it missed.
    wait_for_list(page, project, uvicorn_server, seen)
    # Resumed from the last event it had, it replays every stage it missed.
    assert messages_of(seen) == ["Queued", *STAGES], seen
    assert seen[-1]["valuenow"] == "100", seen
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Restart"))
    expect(row.locator("[data-status]")).to_have_text("completed")


@pytest.mark.shared_uvicorn
def test_it_shows_a_failure_and_keeps_the_memory(logged_in_page, live_postgres_env, member_project):
    # The worker's LLM endpoint is a closed port: extraction really fails.
    env = {
        **live_postgres_env,
        "GRAPH_EXTRACTOR": "llm",
        "LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "LLM_MAX_RETRIES": "0",
    }
    page, project = logged_in_page, member_project["project"]
    with start_celery_worker(env):
        submit_memory(page, project)
        card = page.locator("#progress-card")
        error = card.locator("[data-error]")
        expect(error).to_be_visible(timeout=TIMEOUT_MS)
        expect(error).to_have_text(
            re.compile(
                r"^Ingestion failed: .*unreachable.*[^.]\. The memory was kept; you can retry it from its page\.$"
            )
        )
        expect(error).to_have_role("alert")
        expect(card.get_by_role("button", name="Cancel")).to_be_hidden()
        # It stays on the page (a completed card moves on after 0.8 s).
        page.wait_for_timeout(2_000)
        assert page.url.endswith(new_memory_url(project))

        page.get_by_role("link", name="Open the memory").click()
        page.wait_for_url(detail_url_pattern(project))
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(page.locator("[data-memory-status]")).to_have_text("failed")
        expect(page.get_by_role("alert")).to_contain_text("unreachable")
        expect(page.locator("pre.content")).to_have_text(CONTENT)

        # As the card promised, the memory's page offers another attempt.
        page.get_by_role("button", name="Retry ingestion").click()
        expect(page.get_by_role("status")).to_have_text("A new attempt was started.")


@pytest.mark.shared_uvicorn
def test_it_works_without_javascript(open_page, celery_worker, member_project):
    page, project = open_page(member_project["owner"], javascript=False), member_project["project"]
    submit_memory(page, project, title="No script")

    page.wait_for_url(detail_url_pattern(project))
    expect(page.get_by_role("status")).to_have_text("Memory saved; it is being ingested.")
    expect(page.get_by_role("heading", level=1)).to_have_text("No script")
    status = page.locator("[data-memory-status]")
    expect(status).to_have_text(re.compile(r"^(pending|processing|completed)$"))

    # Without a live card, reloading the page shows where ingestion is.
    deadline = time.monotonic() + 60
    while status.inner_text() != "completed":
        assert time.monotonic() < deadline, f"still {status.inner_text()}"
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_role("row").filter(has_text="completed")).to_contain_text("100%")


@pytest.mark.shared_uvicorn
def test_it_shows_field_errors_in_place(logged_in_page, member_project):
    page, project = logged_in_page, member_project["project"]
    card = page.locator("#progress-card")

    # Whitespace passes the browser's own check; the server says what is wrong.
    submit_memory(page, project, content="   ")
    content_field = page.locator(".field").filter(has=page.get_by_label("Content:", exact=True))
    expect(content_field.locator(".error")).to_have_text("This field is required.")
    expect(content_field).to_have_class(re.compile(r"\binvalid\b"))
    expect(page.get_by_label("Title:", exact=True)).to_have_value(TITLE)
    expect(page.get_by_role("button", name="Save Memory")).to_be_enabled()
    expect(card).to_be_hidden()
    assert page.url.endswith(new_memory_url(project))

    # Empty: the browser keeps the form to itself.
    page.get_by_label("Content:", exact=True).fill("")
    page.get_by_role("button", name="Save Memory").click()
    assert page.get_by_label("Content:", exact=True).evaluate("el => el.validity.valueMissing")
    expect(card).to_be_hidden()
    assert not Memory.objects.filter(project=project).exists()

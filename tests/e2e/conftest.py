"""Fixtures for end-to-end tests: Debian's chromium, driven by Playwright.

The browser is the system's `chromium` (installed by `make browser`), never
one downloaded by Playwright. The pages it opens talk to the real uvicorn and
Celery processes of tests/live, in production mode.

Playwright's sync API keeps an asyncio loop marked as running in the main
thread for as long as it is started, and Django then refuses every ORM call
from the test ("async context"). So while the browser lives, the test
process allows those calls (DJANGO_ALLOW_ASYNC_UNSAFE), and the browser lives
only while this package's tests run: with a session scope it would outlive
them and break every later test. The variable is kept out of the servers'
environment, which must keep Django's check.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PASSWORD = "correct horse battery"  # tests/conftest.py's make_user
TIMEOUT_MS = 60_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.fail("The browser tests need Debian's chromium: run `make browser` (or `make test`).")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def live_postgres_env(live_postgres_env) -> dict[str, str]:
    # Servers must keep Django's async-safety check (see the module docstring);
    # build other environments from this one, not from a fresh live_env().
    live_postgres_env.pop(ASYNC_UNSAFE, None)
    return live_postgres_env


@pytest.fixture
def open_page(browser, uvicorn_server) -> Iterator[Callable[..., Page]]:
    """open_page(user, javascript=True): a page in a fresh context, logged in through the login form."""
    contexts: list[BrowserContext] = []

    def open_(user: User, *, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=uvicorn_server.url, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name=f"Log out {user.username}")).to_be_visible()
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def logged_in_page(open_page, member_project) -> Page:
    """A page with JavaScript, logged in as the owner of member_project."""
    return open_page(member_project["owner"])

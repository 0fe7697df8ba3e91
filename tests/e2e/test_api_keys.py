"""An owner makes an API key on the project's settings, uses it, and revokes it, in a real browser."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.live


def test_it_makes_shows_once_and_revokes_a_key(logged_in_page, uvicorn_server, member_project):
    page, project = logged_in_page, member_project["project"]
    page.goto(f"/project/{project.id}/edit/")
    page.get_by_role("link", name="Manage API keys").click()

    page.get_by_label("Name").fill("Claude Desktop")
    page.get_by_label("Scope").select_option("write")
    page.get_by_role("button", name="Create key").click()
    secret = page.get_by_test_id("new-key-secret").inner_text().strip()
    assert secret.startswith("ms_")
    expect(page.get_by_role("status")).to_contain_text("shown this once")

    def memories() -> int:
        response = httpx.get(
            f"{uvicorn_server.url}/api/v1/memories/",
            headers={"Authorization": f"Bearer {secret}"},
            timeout=30,
            trust_env=False,
        )
        return response.status_code

    assert memories() == 200

    page.reload()  # the secret is gone for good, and no second key was made
    expect(page.get_by_test_id("new-key-secret")).to_have_count(0)
    expect(page.get_by_role("row", name="Claude Desktop")).to_have_count(1)
    row = page.get_by_role("row", name="Claude Desktop")
    expect(row).to_contain_text(secret[:11])
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    assert memories() == 401

"""Deployment security: HTTPS settings from the environment, the
Content-Security-Policy, login throttling, and `check --deploy`."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.live import live_env

BASE_DIR = Path(__file__).resolve().parents[2]

# What docs/operations.md documents for production behind an HTTPS proxy.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "memstack.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://memstack.example.com",
    "BEHIND_HTTPS_PROXY": "true",
}


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )


def production_env(**overrides: str) -> dict:
    return live_env(**{**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50), **overrides})


def test_check_deploy_prints_no_warning_for_the_documented_production_configuration(db):
    result = manage(production_env(), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_https_settings_follow_behind_https_proxy(db):
    code = (
        "import json; from django.conf import settings as s; print('SETTINGS', json.dumps([s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "list(getattr(s, 'SECURE_PROXY_SSL_HEADER', None) or [])]))"
    )

    def read(env: dict) -> list:
        out = manage(env, "shell", "-c", code).stdout
        return json.loads(out.split("SETTINGS ", 1)[1])

    behind = read(production_env())
    assert behind == [True, True, True, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"]]
    plain = read(production_env(BEHIND_HTTPS_PROXY="false"))
    assert plain == [False, False, False, 0, []]
    chosen = read(production_env(SECURE_HSTS_SECONDS="60"))
    assert chosen[3] == 60


def test_every_response_carries_the_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert policy == settings.CONTENT_SECURITY_POLICY


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_handlers():
    offenders = []
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(template.relative_to(BASE_DIR)))
    assert offenders == []


def test_the_api_docs_page_has_no_inline_script(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger" in page.lower()
    assert not INLINE_SCRIPT.search(page)


@pytest.fixture
def someone(make_user):
    return make_user(f"u{uuid.uuid4().hex[:12]}", password="right password 42")


def test_the_token_endpoint_refuses_a_user_name_after_too_many_failures(client, someone, make_user):
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        wrong = client.post("/api/v1/auth/token/", {"username": someone.username, "password": "wrong"})
        assert wrong.status_code == 400
    blocked = client.post("/api/v1/auth/token/", {"username": someone.username, "password": "right password 42"})
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.json()["detail"]
    assert int(blocked["Retry-After"]) > 0
    other = make_user(f"u{uuid.uuid4().hex[:12]}", password="right password 42")
    fine = client.post("/api/v1/auth/token/", {"username": other.username, "password": "right password 42"})
    assert fine.status_code == 200 and fine.json()["token"]


def test_a_successful_token_request_clears_the_count(client, someone):
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        client.post("/api/v1/auth/token/", {"username": someone.username, "password": "wrong"})
    assert (
        client.post("/api/v1/auth/token/", {"username": someone.username, "password": "right password 42"}).status_code
        == 200
    )
    for _ in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        client.post("/api/v1/auth/token/", {"username": someone.username, "password": "wrong"})
    ok = client.post("/api/v1/auth/token/", {"username": someone.username, "password": "right password 42"})
    assert ok.status_code == 200


def test_the_login_page_refuses_a_user_name_after_too_many_failures(client, someone):
    for _ in range(settings.LOGIN_FAILURES_ALLOWED):
        wrong = client.post("/accounts/login/", {"username": someone.username, "password": "wrong"})
        assert wrong.status_code == 200
        assert "Please enter a correct username and password" in wrong.content.decode()
    blocked = client.post("/accounts/login/", {"username": someone.username, "password": "right password 42"})
    assert blocked.status_code == 429
    assert "Too many failed logins for this user name" in blocked.content.decode()
    assert "_auth_user_id" not in client.session

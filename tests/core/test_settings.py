"""Bad configuration fails at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from memstack import env

ROOT = Path(__file__).resolve().parents[2]


def load_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with `variables` as its environment, as a deploy would."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "memstack.settings", "MEMSTACK_VAR_DIR": str(tmp_path), **variables})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "maybe", "SECRET_KEY": "x"}, "DEBUG must be true or false"),
        ({"DEBUG": "false", "DATABASE_URL": "postgres://localhost/memstack"}, "SECRET_KEY must be set"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must be a postgres://"),
        ({"DEBUG": "true", "DATABASE_URL": "postgres://localhost"}, "DATABASE_URL must name a database"),
        ({"DEBUG": "true", "REDIS_URL": "http://localhost:6379"}, "REDIS_URL must be a redis://"),
        ({"DEBUG": "true", "REDIS_URL": "redis://localhost:sixty/0"}, "REDIS_URL has an invalid port"),
        ({"DEBUG": "true", "CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE must be a whole number"),
        ({"DEBUG": "true", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"DEBUG": "true", "GRAPH_EXTRACTOR": "gpt"}, "GRAPH_EXTRACTOR must be one of"),
        ({"DEBUG": "true", "LLM_BASE_URL": "localhost:11434"}, "LLM_BASE_URL must be an http://"),
        ({"DEBUG": "true", "MEMORY_MAX_CONTENT_CHARS": "0"}, "MEMORY_MAX_CONTENT_CHARS must be at least 1"),
        (
            {"DEBUG": "true", "CELERY_TASK_SOFT_TIME_LIMIT": "60", "CELERY_TASK_TIME_LIMIT": "30"},
            "CELERY_TASK_TIME_LIMIT must be greater",
        ),
    ],
)
def test_it_refuses_a_bad_value_naming_the_variable(tmp_path, variables, named):
    result = load_settings(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_it_starts_on_embedded_defaults(tmp_path):
    result = load_settings(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
    assert (tmp_path / "broker").is_dir()


def test_it_keeps_a_generated_key_for_an_embedded_installation(tmp_path):
    first = load_settings(tmp_path)  # nothing configured at all
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert load_settings(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env.env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env.env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "")
    assert env.env_bool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "enabled")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env.env_bool("FLAG", False)


def test_it_parses_a_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db.internal:5433/memstack")
    config = env.env_database("DATABASE_URL", "/unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 5433, "memstack", "app")


def test_it_defaults_to_the_embedded_sqlite_file(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database("DATABASE_URL", "/srv/var/memstack.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/var/memstack.sqlite3"


def test_it_exits_2_with_a_plain_message_from_manage_py(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    environment.update({"DEBUG": "maybe", "MEMSTACK_VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "manage.py", "check_schema"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: DEBUG must be true or false, not 'maybe'."

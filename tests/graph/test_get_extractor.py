"""The extractor follows the settings; bad values are refused where settings are read (memstack/settings.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from apps.graph.extraction import Extractor, get_extractor
from apps.graph.extraction.llm import LLMExtractor
from apps.graph.extraction.offline import OfflineExtractor

ROOT = Path(__file__).resolve().parents[2]
_DESCRIBE = (
    "import django; django.setup(); from apps.graph.extraction import get_extractor; e = get_extractor(); "
    "print(type(e).__name__, e.base_url, e.model, e.timeout, e.max_retries, e.max_concurrency)"
)


def start_with(tmp_path: Path, script: str, **variables: str) -> subprocess.CompletedProcess:
    """Run `script` in a fresh process configured only by `variables`, as a deploy would start."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} and not key.startswith(("LLM_", "GRAPH_"))
    }
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "memstack.settings", "MEMSTACK_VAR_DIR": str(tmp_path), "DEBUG": "true"}
    )
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_it_is_offline_by_default(settings):
    settings.GRAPH_EXTRACTOR = "offline"

    extractor = get_extractor()

    assert isinstance(extractor, OfflineExtractor)
    assert isinstance(extractor, Extractor)
    assert get_extractor() is extractor  # reused, not rebuilt per memory


def test_it_builds_an_llm_extractor_from_settings(settings):
    settings.GRAPH_EXTRACTOR = "llm"
    settings.LLM_BASE_URL = "http://127.0.0.1:9/v1/"
    settings.LLM_MODEL = "qwen2.5"
    settings.LLM_TIMEOUT_SECONDS = 30
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_MAX_CONCURRENCY = 3

    extractor = get_extractor()

    assert isinstance(extractor, LLMExtractor)
    assert (
        extractor.base_url,
        extractor.model,
        extractor.timeout,
        extractor.max_retries,
        extractor.max_concurrency,
    ) == ("http://127.0.0.1:9/v1", "qwen2.5", 30.0, 2, 3)


def test_it_uses_documented_defaults_for_the_llm(tmp_path):
    result = start_with(tmp_path, _DESCRIBE, GRAPH_EXTRACTOR="llm")

    assert result.stdout.split() == ["LLMExtractor", "http://127.0.0.1:11434/v1", "llama3.1", "60.0", "4", "4"], (
        result.stderr
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("GRAPH_EXTRACTOR", "spacy", "GRAPH_EXTRACTOR must be one of offline, llm"),
        ("LLM_BASE_URL", "localhost:11434", "LLM_BASE_URL must be an http:// or https:// URL"),
        ("LLM_TIMEOUT_SECONDS", "soon", "LLM_TIMEOUT_SECONDS must be a whole number"),
        ("LLM_MAX_RETRIES", "-1", "LLM_MAX_RETRIES must be at least 0"),
        ("LLM_MAX_CONCURRENCY", "0", "LLM_MAX_CONCURRENCY must be at least 1"),
    ],
)
def test_it_refuses_a_bad_setting_at_start_naming_it(tmp_path, name, value, message):
    result = start_with(tmp_path, _DESCRIBE, **{"GRAPH_EXTRACTOR": "llm", name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr

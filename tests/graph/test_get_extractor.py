from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.graph.extraction import DEFAULTS, Extractor, get_extractor
from apps.graph.extraction.llm import LLMExtractor
from apps.graph.extraction.offline import OfflineExtractor


@pytest.fixture
def unset(settings):
    """Settings without any of the extractor's names, as in a project that never set them."""
    for name in DEFAULTS:
        if hasattr(settings, name):
            delattr(settings, name)
    return settings


def test_it_is_offline_by_default(unset):
    extractor = get_extractor()

    assert isinstance(extractor, OfflineExtractor)
    assert isinstance(extractor, Extractor)
    assert get_extractor() is extractor  # reused, not rebuilt per memory


def test_it_builds_an_llm_extractor_from_settings(unset):
    unset.GRAPH_EXTRACTOR = "llm"
    unset.LLM_BASE_URL = "http://127.0.0.1:9/v1/"
    unset.LLM_MODEL = "qwen2.5"
    unset.LLM_TIMEOUT_SECONDS = 30
    unset.LLM_MAX_RETRIES = 2
    unset.LLM_MAX_CONCURRENCY = 3

    extractor = get_extractor()

    assert isinstance(extractor, LLMExtractor)
    assert (
        extractor.base_url,
        extractor.model,
        extractor.timeout,
        extractor.max_retries,
        extractor.max_concurrency,
    ) == (
        "http://127.0.0.1:9/v1",
        "qwen2.5",
        30.0,
        2,
        3,
    )


def test_it_uses_documented_defaults_for_the_llm(unset):
    unset.GRAPH_EXTRACTOR = "llm"

    extractor = get_extractor()

    assert (
        extractor.base_url,
        extractor.model,
        extractor.timeout,
        extractor.max_retries,
        extractor.max_concurrency,
    ) == (
        "http://127.0.0.1:11434/v1",
        "llama3.1",
        60.0,
        4,
        4,
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("GRAPH_EXTRACTOR", "spacy", 'GRAPH_EXTRACTOR must be "offline" or "llm"'),
        ("LLM_BASE_URL", "localhost:11434", "LLM_BASE_URL must be an http:// or https:// URL"),
        ("LLM_TIMEOUT_SECONDS", "soon", "LLM_TIMEOUT_SECONDS must be a number"),
        ("LLM_MAX_CONCURRENCY", 0, "LLM_MAX_CONCURRENCY must be at least 1"),
    ],
)
def test_it_names_the_setting_that_is_wrong(unset, name, value, message):
    unset.GRAPH_EXTRACTOR = "llm"
    setattr(unset, name, value)

    with pytest.raises(ImproperlyConfigured, match=message):
        get_extractor()

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from apps.graph.extraction.llm import LLMExtractor
from apps.graph.extraction.types import ExtractionError, SchemaSpec
from tests.graph.fake_llm import Reply, chat_answer

SCHEMA = SchemaSpec.build(
    {"Person": "A human being", "Organization": "A company or institution"},
    {"WORKS_AT": "Employment"},
    [("Person", "Organization", "WORKS_AT")],
)
GOOD_ANSWER = {
    "entities": [
        {
            "name": "Alice Chen",
            "type": "Person",
            "summary": "An engineer.",
            "attributes": {"role": "engineer", "langs": ["en", "zh"]},
        },
        {"name": "Acme Corp", "type": "Organization"},
    ],
    "relationships": [
        {
            "source": "Alice Chen",
            "target": "acme corp",
            "name": "works at",
            "fact": "Alice Chen works at Acme Corp.",
            "valid_at": "2021-03-01",
        }
    ],
}


def extractor(url: str, **options) -> LLMExtractor:
    # Tiny backoff: the retry tests count attempts, they need not wait like production.
    settings = {
        "api_key": "sk-test",
        "model": "test-model",
        "timeout": 5.0,
        "max_retries": 3,
        "max_concurrency": 4,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
    }
    return LLMExtractor(url, **{**settings, **options})


def extract(llm: LLMExtractor, text: str = "Alice Chen works at Acme Corp."):
    return llm.extract(text, content_type="text", schema=SCHEMA)


def test_it_extracts_from_a_valid_answer(fake_llm):
    server = fake_llm(lambda n: chat_answer(GOOD_ANSWER))

    result = extract(extractor(server.base_url))

    assert [(e.name, e.type) for e in result.entities] == [("Alice Chen", "Person"), ("Acme Corp", "Organization")]
    assert result.entity("Alice Chen").attributes == {"role": "engineer", "langs": '["en", "zh"]'}  # scalars only
    (relationship,) = result.relationships
    # Names are normalised: the endpoint is the entity's own spelling, the edge UPPER_SNAKE_CASE.
    assert (relationship.source, relationship.name, relationship.target) == ("Alice Chen", "WORKS_AT", "Acme Corp")
    assert relationship.valid_at == datetime(2021, 3, 1, tzinfo=UTC)


def test_it_sends_the_schema_in_json_mode(fake_llm):
    server = fake_llm(lambda n: chat_answer(GOOD_ANSWER))

    extract(extractor(server.base_url))

    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["model"] == "test-model"
    assert request["response_format"] == {"type": "json_object"}
    system = request["messages"][0]["content"]
    assert "- Person: A human being" in system
    assert "- WORKS_AT: Employment" in system
    assert "(Person)-[WORKS_AT]->(Organization)" in system
    assert request["messages"][1]["content"] == "Alice Chen works at Acme Corp."
    assert server.headers[0]["Authorization"] == "Bearer sk-test"


def test_it_reports_an_answer_that_is_not_json(fake_llm):
    server = fake_llm(lambda n: chat_answer("Sure! Alice works at Acme."))

    with pytest.raises(ExtractionError, match=f"LLM endpoint {server.base_url} returned invalid JSON"):
        extract(extractor(server.base_url))


def test_it_reports_a_body_that_is_not_json(fake_llm):
    server = fake_llm(lambda n: Reply(body="<html>Bad gateway page</html>"))

    with pytest.raises(ExtractionError, match="returned invalid JSON"):
        extract(extractor(server.base_url))


def test_it_says_when_the_answer_was_cut_off(fake_llm):
    server = fake_llm(lambda n: chat_answer('{"entities": [{"name": "Ali', finish_reason="length"))

    with pytest.raises(ExtractionError, match="cut off"):
        extract(extractor(server.base_url))


def test_it_rejects_a_relationship_to_an_unknown_entity(fake_llm):
    answer = {**GOOD_ANSWER, "relationships": [{"source": "Alice Chen", "target": "Globex", "name": "WORKS_AT"}]}
    server = fake_llm(lambda n: chat_answer(answer))

    with pytest.raises(
        ExtractionError, match="wrong shape: relationships\\[0\\].*'Globex', which is not among the entities"
    ):
        extract(extractor(server.base_url))


def test_it_rejects_an_entity_without_a_name(fake_llm):
    server = fake_llm(lambda n: chat_answer({"entities": [{"name": "  ", "type": "Person"}]}))

    with pytest.raises(ExtractionError, match="entities\\[0\\].name is empty"):
        extract(extractor(server.base_url))


def test_it_gives_up_after_a_429_storm(fake_llm):
    server = fake_llm(lambda n: Reply(429, {"error": "slow down"}))

    with pytest.raises(ExtractionError, match="answered 429 Too Many Requests 4 times in a row"):
        extract(extractor(server.base_url, max_retries=3))

    assert server.count == 4  # the first attempt and three retries


def test_it_recovers_after_two_429s(fake_llm):
    server = fake_llm(lambda n: Reply(429) if n < 2 else chat_answer(GOOD_ANSWER))

    result = extract(extractor(server.base_url, max_retries=3))

    assert len(result.entities) == 2
    assert server.count == 3


def test_it_retries_a_server_error(fake_llm):
    server = fake_llm(lambda n: Reply(503) if n == 0 else chat_answer(GOOD_ANSWER))

    assert len(extract(extractor(server.base_url)).entities) == 2
    assert server.count == 2


def test_it_honours_retry_after_up_to_its_cap(fake_llm):
    server = fake_llm(lambda n: Reply(429, headers={"Retry-After": "120"}) if n == 0 else chat_answer(GOOD_ANSWER))
    llm = extractor(server.base_url, retry_after_max=0.4)

    started = time.monotonic()
    extract(llm)
    waited = time.monotonic() - started

    assert 0.4 <= waited < 2.0


def test_it_does_not_retry_a_rejected_key(fake_llm):
    server = fake_llm(lambda n: Reply(401, {"error": {"message": "Incorrect API key"}}))

    with pytest.raises(ExtractionError, match="rejected the request: 401 Unauthorized.*Check LLM_API_KEY"):
        extract(extractor(server.base_url))

    assert server.count == 1


def test_it_times_out(fake_llm):
    server = fake_llm(lambda n: Reply(delay=5.0, body=chat_answer(GOOD_ANSWER).body))

    started = time.monotonic()
    with pytest.raises(ExtractionError, match="timed out after 0.5 s"):
        extract(extractor(server.base_url, timeout=0.5))

    assert time.monotonic() - started < 2.0


def test_it_reports_an_unreachable_endpoint(closed_port_url):
    with pytest.raises(ExtractionError, match=f"LLM endpoint {closed_port_url} unreachable: .*\\(2 attempts\\)"):
        extract(extractor(closed_port_url, max_retries=1))


def test_it_bounds_concurrent_requests_across_threads(fake_llm):
    server = fake_llm(lambda n: Reply(delay=0.2, body=chat_answer(GOOD_ANSWER).body))
    results: list[int] = []
    errors: list[Exception] = []

    def work() -> None:
        try:  # a fresh extractor per thread: the limit is per endpoint, not per instance
            results.append(len(extract(extractor(server.base_url, max_concurrency=2)).entities))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [2] * 6
    assert server.max_in_flight == 2


def test_it_names_a_community(fake_llm):
    server = fake_llm(
        lambda n: chat_answer({"name": "Acme engineering", "summary": "Alice and Bob build things at Acme."})
    )

    name, summary = extractor(server.base_url).summarize_community(
        ["Alice Chen", "Acme Corp"], ["Alice Chen WORKS_AT Acme Corp"]
    )

    assert (name, summary) == ("Acme engineering", "Alice and Bob build things at Acme.")
    prompt = server.requests[0]["messages"][1]["content"]
    assert "Members: Alice Chen, Acme Corp" in prompt
    assert "- Alice Chen WORKS_AT Acme Corp" in prompt


def test_it_requires_a_community_name(fake_llm):
    server = fake_llm(lambda n: chat_answer({"summary": "No name here."}))

    with pytest.raises(ExtractionError, match="answer.name must be a string"):
        extractor(server.base_url).summarize_community(["Alice Chen"], [])


def test_it_spells_types_and_edges_as_the_schema_does(fake_llm):
    answer = {
        "entities": [{"name": "Alice Chen", "type": "person"}, {"name": "Acme Corp", "type": "Company"}],
        "relationships": [{"source": "Alice Chen", "target": "Acme Corp", "name": "works_at"}],
    }
    server = fake_llm(lambda n: chat_answer(answer))

    result = extract(extractor(server.base_url))

    assert [(e.name, e.type) for e in result.entities] == [("Alice Chen", "Person"), ("Acme Corp", "Organization")]
    assert [r.name for r in result.relationships] == ["WORKS_AT"]


def test_it_types_and_names_relations_as_the_offline_extractor_does(fake_llm):
    # A model that says "worked for" and leaves Hooli untyped gets the graph's own spelling and typing.
    answer = {
        "entities": [
            {"name": "Alice Chen", "type": "Person"},
            {"name": "Hooli", "type": "Entity"},
            {"name": "Lisbon", "type": "Location"},
            {"name": "Python", "type": "Concept"},
        ],
        "relationships": [
            {"source": "Alice Chen", "target": "Hooli", "name": "worked for"},
            {"source": "Hooli", "target": "Lisbon", "name": "HEADQUARTERED_IN"},
            {"source": "Alice Chen", "target": "Python", "name": "uses"},
        ],
    }
    server = fake_llm(lambda n: chat_answer(answer))

    result = extractor(server.base_url).extract("...", content_type="text", schema=SchemaSpec())

    assert [(e.name, e.type) for e in result.entities] == [
        ("Alice Chen", "Person"),
        ("Hooli", "Organization"),  # someone works there
        ("Lisbon", "Location"),
        ("Python", "Concept"),  # a type the model chose stays
    ]
    assert [(r.source, r.name, r.target) for r in result.relationships] == [
        ("Alice Chen", "WORKED_AT", "Hooli"),  # a past job, kept apart from the current one
        ("Hooli", "LOCATED_IN", "Lisbon"),
        ("Alice Chen", "USES", "Python"),
    ]

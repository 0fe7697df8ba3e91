from __future__ import annotations

import json

import pytest

from apps.graph.extraction.offline.content import markdown_to_text
from apps.graph.extraction.types import ExtractionError
from tests.graph.offline_helpers import edges, entities, extract

MARKDOWN = """# Project Phoenix kickoff

**Attendees:** Alice Chen, [Bob Li](https://example.com/bob)

## Decisions
- Bob Li joined Acme Corp last week.
- Initech Ltd is *based* in _Austin_.

```python
Client = HttpClient(Region="Frankfurt")
```

> Priya Patel works at Globex Corporation.
"""


def test_it_reads_markdown_without_its_syntax():
    result = extract(MARKDOWN, content_type="markdown")

    assert entities(result) == {
        ("Project Phoenix", "Entity"),
        ("Alice Chen", "Person"),
        ("Bob Li", "Person"),
        ("Acme Corp", "Organization"),
        ("Initech Ltd", "Organization"),
        ("Austin", "Location"),
        ("Priya Patel", "Person"),
        ("Globex Corporation", "Organization"),
    }  # nothing from the code block: Client, HttpClient, Frankfurt
    assert edges(result) == {
        ("Bob Li", "JOINED", "Acme Corp"),
        ("Initech Ltd", "LOCATED_IN", "Austin"),
        ("Priya Patel", "WORKS_AT", "Globex Corporation"),
    }


def test_it_turns_markdown_blocks_into_sentences():
    text = markdown_to_text(
        "## Team\n\n* Alice\n* Bob\n\n| Name | City |\n|---|---|\n| Alice | Paris |\n\nA long\nwrapped line."
    )

    assert text == "Team.\n\nAlice.\n\nBob.\n\nName. City.\n\nAlice. Paris.\n\nA long wrapped line."


def test_it_reads_the_string_values_of_json():
    document = {
        "title": "Met Alice Chen",
        "company": "Acme Corp",
        "hq_city": "Springfield",
        "notes": ["Alice Chen joined Acme Corp in 2021.", "she likes tea"],
        "attendees": [{"person": "Bob Li"}],
        "Zurich Office": 3,  # keys are field names, not content
    }

    result = extract(json.dumps(document), content_type="json")

    # The key says what a short value is: Springfield is a Location because of "hq_city".
    assert entities(result) == {
        ("Alice Chen", "Person"),
        ("Acme Corp", "Organization"),
        ("Springfield", "Location"),
        ("Bob Li", "Person"),
    }
    assert edges(result) == {("Alice Chen", "JOINED", "Acme Corp")}


def test_it_rejects_json_that_is_not_json():
    with pytest.raises(ExtractionError, match=r"marked as JSON but is not valid JSON \(.* line 1, column 2\)"):
        extract("{oops", content_type="json")


CONVERSATION = """Alice Chen: I joined Acme Corp in 2021.
Bob: Nice! I work at Globex Inc
  and I love it.
user: what about Paris?
[10:31] Alice Chen: We met Carol Diaz there.
assistant: Noted."""


def test_it_reads_a_conversation():
    result = extract(CONVERSATION, content_type="conversation")

    # Speakers are people, "user" and "assistant" are roles; "I" is whoever speaks.
    assert entities(result) == {
        ("Alice Chen", "Person"),
        ("Acme Corp", "Organization"),
        ("Bob", "Person"),
        ("Globex Inc", "Organization"),
        ("Paris", "Location"),
        ("Carol Diaz", "Person"),
    }
    assert edges(result) == {
        ("Alice Chen", "JOINED", "Acme Corp"),
        ("Bob", "WORKS_AT", "Globex Inc"),
        ("Alice Chen", "MET", "Carol Diaz"),  # "we" includes the speaker
    }
    joined = next(r for r in result.relationships if r.name == "JOINED")
    assert joined.fact == "Alice Chen: I joined Acme Corp in 2021."


def test_it_reads_a_conversation_in_two_languages():
    result = extract("Alice Chen: I joined Acme Corp.\n张伟：我在北京大学工作。", content_type="conversation")

    assert entities(result) == {
        ("Alice Chen", "Person"),
        ("Acme Corp", "Organization"),
        ("张伟", "Person"),
        ("北京大学", "Organization"),
    }
    assert edges(result) == {("Alice Chen", "JOINED", "Acme Corp"), ("张伟", "WORKS_AT", "北京大学")}


def test_it_reads_a_letter_as_written_by_its_signer():
    result = extract(
        "Hi Priyanka,\nMy sister Elena runs the pharmacology lab at Uppsala University.\nCheers,\nNino Beridze"
    )

    assert ("Nino Beridze", "Person") in entities(result)
    assert ("Nino Beridze", "SIBLING_OF", "Elena") in edges(result)  # "my" is the signer's


def test_it_reads_where_a_signer_works_from_the_signature():
    result = extract("Hi Kwame,\nWould you be open to a call?\nBest,\nLeila Marouf\nTalent Partner, Crestline Search")

    assert edges(result) == {("Leila Marouf", "WORKS_AT", "Crestline Search")}


@pytest.mark.parametrize(
    ("text", "author"),
    [
        ("Dear team,\nI am pleased that Marcus Webb joined us.\nBest, Karen", "Karen"),  # sign-off and name on one line
        ("Hi all,\nFrom Monday Yusuf Aydin will report to me.\nLena Hoffmann, VP Engineering", "Lena Hoffmann"),
    ],
)
def test_it_finds_the_signer_of_a_letter(text, author):
    assert (author, "Person") in entities(extract(text))
    assert not any(name in ("Best", "Engineering", "VP Engineering") for name, _ in entities(extract(text)))


def test_it_reads_no_signer_in_prose():
    # No greeting, no sign-off line of its own: the last line is prose, not a signature.
    assert entities(extract("Acme Corp hired Bob Li.\nBest regards were sent.")) == {
        ("Acme Corp", "Organization"),
        ("Bob Li", "Person"),
    }

"""GET /api/v1/projects/<id>/search/: answers, filters, access and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.graph.models import Entity
from apps.memories.services import memory_delete
from apps.recall.models import Passage
from apps.recall.search.retrievers import named, words
from tests.recall.conftest import QUESTIONS


def url(project) -> str:
    return f"/api/v1/projects/{project.id}/search/"


@pytest.mark.parametrize(("question", "key"), QUESTIONS)
def test_it_returns_the_memory_that_answers_first(corpus, db, api_client_for, question, key):
    notes = corpus.notes
    response = api_client_for(corpus.viewer).get(url(corpus.project), {"q": question})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["query"] == question
    assert body["took_ms"] >= 0
    first = body["results"][0]
    assert first["memory"]["id"] == str(notes[key].id)
    assert set(first["memory"]) == {"id", "title", "valid_at", "content_type", "tags"}
    assert first["snippet"] in notes[key].content
    assert first["highlights"], "the words that matched are marked"
    for mark in first["highlights"]:
        assert first["snippet"][mark["start"] : mark["end"]] == mark["text"]
    assert "lexical" in first["retrievers"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_it_finds_by_meaning_without_shared_words(corpus, db, api_client_for):
    body = api_client_for(corpus.owner).get(url(corpus.project), {"q": "pastry shop in France"}).json()
    assert body["results"][0]["memory"]["id"] == str(corpus.notes["paris"].id)
    assert "dense" in body["results"][0]["retrievers"]


def test_it_names_the_entities_of_the_question_and_finds_their_memories(corpus, db, api_client_for):
    body = api_client_for(corpus.owner).get(url(corpus.project), {"q": "Alice Chen"}).json()
    assert "Alice Chen" in [e["name"] for e in body["entities"]]
    top = body["results"][0]
    assert top["memory"]["id"] == str(corpus.notes["alice"].id)
    assert "graph" in top["retrievers"]


def test_it_filters_by_date_and_tag(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    old = ingest(
        project, owner, content="The team retro covered the roadmap.", valid_at=datetime(2023, 1, 5, tzinfo=UTC)
    )
    new = ingest(
        project,
        owner,
        content="The retro covered hiring and the roadmap.",
        valid_at=datetime(2024, 3, 5, tzinfo=UTC),
        tags=["hr"],
    )
    client = api_client_for(owner)

    def ids(**params) -> list[str]:
        return [r["memory"]["id"] for r in client.get(url(project), {"q": "roadmap retro", **params}).json()["results"]]

    assert set(ids()) == {str(old.id), str(new.id)}
    assert ids(**{"from": "2024-01-01"}) == [str(new.id)]
    assert ids(to="2023-12-31T23:59:59Z") == [str(old.id)]
    assert ids(tags="hr") == [str(new.id)]
    assert ids(as_of="2023-06-01T00:00:00Z") == [str(old.id)]
    # Filters alone (no words) list the matching memories.
    only_tag = client.get(url(project), {"tags": "hr"}).json()["results"]
    assert [r["memory"]["id"] for r in only_tag] == [str(new.id)]


def test_it_reaches_memories_by_the_date_a_question_names(corpus, db, api_client_for):
    body = api_client_for(corpus.owner).get(url(corpus.project), {"q": "what happened on 3 May 2024"}).json()
    assert body["results"][0]["memory"]["id"] == str(corpus.notes["paris"].id)
    assert "time" in body["results"][0]["retrievers"]


def test_as_of_hides_a_fact_closed_before_it_and_shows_it_before_that(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen works at Acme Corporation.", valid_at=datetime(2020, 1, 1, tzinfo=UTC))
    ingest(project, owner, content="Alice Chen works at Globex.", valid_at=datetime(2022, 1, 1, tzinfo=UTC))
    client = api_client_for(owner)

    def employers(as_of: str) -> set[str]:
        body = client.get(url(project), {"q": "Where does Alice Chen work?", "as_of": as_of}).json()
        return {f["target"]["name"] for f in body["facts"] if f["source"]["name"] == "Alice Chen"}

    assert employers("2021-01-01T00:00:00Z") == {"Acme Corporation"}
    assert employers("2023-01-01T00:00:00Z") == {"Globex"}
    closed = [
        f
        for f in client.get(url(project), {"q": "Alice Chen", "as_of": "2021-06-01"}).json()["facts"]
        if f["target"]["name"] == "Acme Corporation"
    ]
    assert closed and closed[0]["invalid_at"].startswith("2022-01-01")


def test_deleting_a_memory_removes_it_from_results_at_once(corpus, db, api_client_for):
    client, bob = api_client_for(corpus.owner), corpus.notes["bob"]
    question = "Who went hiking at Lake Tahoe?"
    assert client.get(url(corpus.project), {"q": question}).json()["results"][0]["memory"]["id"] == str(bob.id)
    memory_delete(memory=bob)
    assert not Passage.objects.filter(memory_id=bob.id).exists()
    ids = [r["memory"]["id"] for r in client.get(url(corpus.project), {"q": question}).json()["results"]]
    assert ids and str(bob.id) not in ids


def test_it_answers_404_to_an_outsider_and_403_to_anonymous(corpus, db, api_client_for):
    assert api_client_for(corpus.outsider).get(url(corpus.project), {"q": "Alice"}).status_code == 404
    assert api_client_for(None).get(url(corpus.project), {"q": "Alice"}).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({}, "q"),
        ({"q": "x", "limit": "0"}, "limit"),
        ({"q": "x", "limit": "51"}, "limit"),
        ({"q": "x", "limit": "ten"}, "limit"),
        ({"q": "x", "as_of": "yesterday"}, "as_of"),
        ({"q": "x", "from": "2024-13-01"}, "from"),
        ({"q": "x", "to": "not a date"}, "to"),
        ({"q": "x", "from": "2024-02-01", "to": "2024-01-01"}, "to"),
    ],
)
def test_it_refuses_bad_parameters_with_field_errors(corpus, db, api_client_for, params, field):
    response = api_client_for(corpus.owner).get(url(corpus.project), params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_the_limit_caps_the_results(corpus, db, api_client_for):
    client = api_client_for(corpus.owner)
    body = client.get(url(corpus.project), {"q": "Alice bakery football hiking", "limit": "2"}).json()
    assert len(body["results"]) == 2
    body = client.get(url(corpus.project), {"q": "Alice bakery football hiking", "limit": "50"}).json()
    assert len(body["results"]) == 5


def test_it_resolves_a_first_name_to_the_one_person_who_has_it(corpus, db, api_client_for):
    body = api_client_for(corpus.owner).get(url(corpus.project), {"q": "Where does Alice work?"}).json()
    assert [e["name"] for e in body["entities"]] == ["Alice Chen"]
    top = body["results"][0]
    assert top["memory"]["id"] == str(corpus.notes["alice"].id)
    assert "graph" in top["retrievers"]


def test_a_short_name_two_people_share_names_neither(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen plays chess on Sundays.")
    ingest(project, owner, content="Alice Wong plays golf with her brother.")
    client = api_client_for(owner)
    assert client.get(url(project), {"q": "What does Alice play?"}).json()["entities"] == []
    named = client.get(url(project), {"q": "What does Wong play?"}).json()["entities"]
    assert [e["name"] for e in named] == ["Alice Wong"]


def test_a_when_question_puts_the_memory_that_says_when_first(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    plain = ingest(project, owner, content="Dana adopted a puppy.")
    dated = ingest(
        project, owner, content="Dana told me about the puppy adoption last Tuesday, after a long search for a shelter."
    )
    results = api_client_for(owner).get(url(project), {"q": "When did Dana adopt the puppy?"}).json()["results"]
    ids = [r["memory"]["id"] for r in results]
    assert ids.index(str(dated.id)) < ids.index(str(plain.id))
    assert "time" in results[ids.index(str(dated.id))]["retrievers"]
    assert "time" not in results[ids.index(str(plain.id))]["retrievers"]


def test_a_rare_word_finds_its_memory_among_many_that_share_a_common_one(
    make_user, make_project, ingest, api_client_for, monkeypatch
):
    owner = make_user()
    project = make_project(owner)
    for n in range(8):
        ingest(project, owner, content=f"The weekly meeting number {n} went on as usual.")
    answer = ingest(project, owner, content="The meeting about the glacier expedition ran late.")
    # Candidates are bounded: here two rows, fewer than the passages holding "meeting".
    monkeypatch.setattr(words, "CANDIDATE_ROWS", 2)
    monkeypatch.setattr(words, "LEXICAL_POOL", 2)
    results = api_client_for(owner).get(url(project), {"q": "meeting glacier"}).json()["results"]
    assert results[0]["memory"]["id"] == str(answer.id)
    assert "lexical" in results[0]["retrievers"]


def test_candidate_words_are_the_rarest_and_never_a_stop_word_like_one():
    df = {"meeting": 900, "glacier": 3, "expedition": 40, "usual": 300}
    assert words.candidate_words(list(df), df, total=1000) == ["glacier", "expedition"]
    # Nothing rarer: the commonest word still brings candidates, also when the question's other words are in
    # no passage at all.
    assert words.candidate_words(["meeting"], df, total=1000) == ["meeting"]
    assert words.candidate_words(["meeting", "unheard"], {**df, "unheard": 0}, total=1000) == ["meeting"]


def test_a_speaker_named_in_the_question_ranks_their_turns_first(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    theirs = ingest(
        project, owner, content="Caroline: I love painting sunsets by the lake.", content_type="conversation"
    )
    other = ingest(project, owner, content="Melanie: I love painting sunsets too!", content_type="conversation")
    body = api_client_for(owner).get(url(project), {"q": "What does Caroline love painting?"}).json()
    assert "Caroline" in [e["name"] for e in body["entities"]]
    ids = [r["memory"]["id"] for r in body["results"]]
    assert ids.index(str(theirs.id)) < ids.index(str(other.id))
    assert "graph" in body["results"][0]["retrievers"]


def test_specificity_says_how_few_memories_mention_the_least_mentioned_entity(make_user, make_project, ingest):
    owner = make_user()
    project = make_project(owner)
    ingest(project, owner, content="Alice Chen joined Acme Corporation as a data engineer.")
    ingest(project, owner, content="Alice Chen went hiking near Lake Tahoe.")
    ingest(project, owner, content="Alice Chen took photos of Lake Tahoe at sunrise.")
    ingest(project, owner, content="Alice Chen bought new boots.")
    alice, acme, tahoe = (
        Entity.objects.get(project=project, name=name).id for name in ("Alice Chen", "Acme Corporation", "Lake Tahoe")
    )
    assert named(project, [alice]).specificity == 0.0  # every memory
    assert named(project, [acme]).specificity == pytest.approx(1.0)  # one memory
    assert named(project, [tahoe]).specificity == pytest.approx(0.5)  # two of four: log 2 / log 4
    assert named(project, [alice, tahoe]).specificity == pytest.approx(0.5)  # the least mentioned counts
    assert named(project, []).specificity == 0.0


def test_a_name_every_memory_mentions_changes_no_score(make_user, make_project, ingest, api_client_for, settings):
    owner = make_user()
    project = make_project(owner)
    for said in (
        "I took the kids to the lake on Sunday.",
        "Work has been busy all week.",
        "I signed up for a pottery class at the community center.",
        "The dog chewed my new shoes.",
    ):
        ingest(project, owner, content=f"Melanie: {said}", content_type="conversation")
    client = api_client_for(owner)
    question = {"q": "What did Melanie sign up for?"}
    named = client.get(url(project), question).json()
    assert "Melanie" in [e["name"] for e in named["entities"]]
    settings.RECALL_WEIGHTS = {**settings.RECALL_WEIGHTS, "graph": 0.0}
    unnamed = client.get(url(project), question).json()
    # The speaker of every turn says nothing about which turn answers.
    assert [(r["memory"]["id"], r["score"]) for r in named["results"]] == [
        (r["memory"]["id"], r["score"]) for r in unnamed["results"]
    ]
    assert "graph" in named["results"][0]["retrievers"]


def test_a_word_no_memory_holds_does_not_keep_the_others_from_finding(make_user, make_project, ingest, api_client_for):
    owner = make_user()
    project = make_project(owner)
    for said in ("We had pizza for dinner again.", "My garden finally has tomatoes.", "Work has been busy all week."):
        ingest(project, owner, content=said)
    pottery = [
        ingest(project, owner, content="I signed up for a pottery class at the community center."),
        ingest(project, owner, content="Seven years of pottery already, longer than anyone I know!"),
    ]
    # "pottery" is in two of five memories, common by the lexical retriever's measure; "long" is in none.
    results = api_client_for(owner).get(url(project), {"q": "How long has she been doing pottery?"}).json()["results"]
    lexical = {r["memory"]["id"] for r in results if "lexical" in r["retrievers"]}
    assert {str(m.id) for m in pottery} <= lexical

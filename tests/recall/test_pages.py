"""The search page: a GET form that works without JavaScript, and the search boxes that lead to it."""

from __future__ import annotations

from django.urls import reverse

from tests.recall.conftest import QUESTIONS


def page(project) -> str:
    return reverse("recall:search", args=[project.id])


def test_it_shows_the_answering_memory_with_marked_words_and_the_time_taken(corpus, db, client):
    client.force_login(corpus.viewer)
    for question, key in QUESTIONS:
        response = client.get(page(corpus.project), {"q": question})
        assert response.status_code == 200
        html = response.content.decode()
        memory = corpus.notes[key]
        first = html.index('<li class="result">')
        assert reverse("memories:detail", args=[corpus.project.id, memory.id]) in html[first : first + 400], question
        assert "<mark>" in html[first:]
        assert " ms." in html


def test_it_links_the_entities_a_question_names(corpus, db, client):
    client.force_login(corpus.owner)
    html = client.get(page(corpus.project), {"q": "Alice Chen"}).content.decode()
    assert ">Alice Chen</a>" in html
    assert "/entities/" in html


def test_it_shows_field_errors_and_no_results_for_bad_input(corpus, db, client):
    client.force_login(corpus.owner)
    html = client.get(page(corpus.project), {"q": "bakery", "from": "someday"}).content.decode()
    assert "From: Enter a date" in html
    assert '<li class="result">' not in html
    # A first visit (nothing asked yet) shows the form without errors.
    html = client.get(page(corpus.project)).content.decode()
    assert 'class="error"' not in html and 'name="q"' in html


def test_it_filters_by_tag_and_dates_from_the_form(corpus, db, client):
    client.force_login(corpus.owner)
    html = client.get(page(corpus.project), {"q": "bakery football", "to": "2024-05-03"}).content.decode()
    assert corpus.notes["paris"].title in html
    assert reverse("memories:detail", args=[corpus.project.id, corpus.notes["football"].id]) not in html


def test_outsiders_get_404_and_anonymous_visitors_the_login_page(corpus, db, client):
    client.force_login(corpus.outsider)
    assert client.get(page(corpus.project), {"q": "Alice"}).status_code == 404
    client.logout()
    response = client.get(page(corpus.project), {"q": "Alice"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_project_and_memory_pages_have_a_search_box(corpus, db, client):
    client.force_login(corpus.viewer)
    action = f'action="{page(corpus.project)}"'
    assert action in client.get(reverse("projects:detail", args=[corpus.project.id])).content.decode()
    memory = corpus.notes["alice"]
    assert action in client.get(reverse("memories:detail", args=[corpus.project.id, memory.id])).content.decode()


def test_viewers_see_no_rebuild_button_and_cannot_post_it(corpus, db, client):
    client.force_login(corpus.viewer)
    assert "Rebuild recall index" not in client.get(page(corpus.project)).content.decode()
    assert client.post(reverse("recall:reindex", args=[corpus.project.id])).status_code == 403

"""The list rows' timestamps and links (apps.core.templatetags.rows) print what Django's own would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone

MOMENTS = [
    datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    datetime(2024, 6, 30, 23, 59, 59, 123456, tzinfo=UTC),  # another day in Tokyo; microseconds
    datetime(999, 12, 31, 22, 0, 0, tzinfo=UTC),  # a year of three digits
]


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/St_Johns"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_it_prints_timestamps_as_the_date_filter_does(zone, moment):
    with timezone.override(zone):
        ours = render("{% load rows %}{{ t|iso_time }} {{ t|to_second }} {{ t|to_minute }}", t=moment)
        django = render("""{{ t|date:"c" }} {{ t|date:"Y-m-d H:i:s" }} {{ t|date:"Y-m-d H:i" }}""", t=moment)
    assert ours == django


def test_it_prints_nothing_for_a_missing_timestamp():
    assert render("{% load rows %}[{{ t|iso_time }}][{{ t|to_second }}][{{ t|to_minute }}]", t=None) == "[][][]"


def test_it_links_as_the_url_tag_does():
    project_id, memory_id = uuid.uuid4(), uuid.uuid4()
    ours = render("{% load rows %}{% id_url 'memories:detail' p m %}", p=project_id, m=memory_id)
    assert ours == reverse("memories:detail", args=[project_id, memory_id])
    assert render("{% load rows %}{% id_url 'tasks:detail' t %}", t=memory_id) == f"/tasks/{memory_id}/"


def test_it_links_under_the_script_prefix_of_the_request():
    task_id = uuid.uuid4()
    set_script_prefix("/memstack/")
    try:
        assert render("{% load rows %}{% id_url 'tasks:detail' t %}", t=task_id) == f"/memstack/tasks/{task_id}/"
    finally:
        set_script_prefix("/")
    assert render("{% load rows %}{% id_url 'tasks:detail' t %}", t=task_id) == f"/tasks/{task_id}/"


def test_it_refuses_what_reverse_refuses():
    # Not a UUID: the tag leaves it to reverse, which says why.
    with pytest.raises(NoReverseMatch):
        render("{% load rows %}{% id_url 'tasks:detail' t %}", t="not-a-uuid")
    with pytest.raises(NoReverseMatch):
        render("{% load rows %}{% id_url 'tasks:detail' t %}", t=None)

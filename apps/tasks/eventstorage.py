"""Event storage for django-eventstream: its database tables, read so that an
open stream never keeps a database connection.

A stream reads storage only when it connects or catches up after a gap; the
rest of the time it waits on the event bridge. django-eventstream runs those
reads in the request's own thread, whose connection would otherwise stay open
for as long as the browser keeps the page.
"""

from __future__ import annotations

import functools

from django.db import connection
from django_eventstream.storage import DjangoModelStorage


def _releasing_connection(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return wrapper


class EventStorage(DjangoModelStorage):
    get_events = _releasing_connection(DjangoModelStorage.get_events)
    get_current_id = _releasing_connection(DjangoModelStorage.get_current_id)

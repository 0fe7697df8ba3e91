"""Failed logins, counted per user name and client address, for the login
page and the token endpoint alike. Past LOGIN_FAILURES_ALLOWED within
LOGIN_FAILURE_WINDOW_SECONDS, both refuse (429) until the window passes; a
successful login is never slowed and clears the count."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _key(request: HttpRequest, username: str) -> str:
    who = hashlib.sha256(f"{request.META.get('REMOTE_ADDR', '')}|{username.strip().lower()}".encode()).hexdigest()
    return f"login-failures:{who[:40]}"


def seconds_blocked(request: HttpRequest, username: str) -> int:
    """0 when this user name may try to log in from here now, else how many seconds to wait."""
    failures = cache.get(_key(request, username))
    if not failures or len(failures) < settings.LOGIN_FAILURES_ALLOWED:
        return 0
    return max(1, int(failures[0] + settings.LOGIN_FAILURE_WINDOW_SECONDS - time.time()))


def record_failure(request: HttpRequest, username: str) -> None:
    key = _key(request, username)
    now = time.time()
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    failures = [at for at in cache.get(key, []) if at > now - window][-settings.LOGIN_FAILURES_ALLOWED + 1 :]
    cache.set(key, [*failures, now], timeout=window)


def clear(request: HttpRequest, username: str) -> None:
    cache.delete(_key(request, username))


def wait_message(seconds: int) -> str:
    minutes = (seconds + 59) // 60
    return f"Too many failed logins for this user name; try again in {minutes} minute{'s' if minutes != 1 else ''}."

"""The password hasher of the test process: Django's PBKDF2, with few rounds.

The suite makes thousands of users, and the production hasher's million
rounds cost about 0.4 s a user on this machine: more than half of the whole
suite's time went there. A hash made here is still `pbkdf2_sha256` and
carries its own round count, so a server a test starts (with the production
settings) checks it as any other, and upgrades it when that user logs in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FewRoundsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000

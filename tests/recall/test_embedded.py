"""The embedded mode (SQLite, FTS5 and numpy vectors) answers the same questions as PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.recall.conftest import QUESTIONS

PROBE = Path(__file__).with_name("embedded_probe.py")


def test_it_answers_the_same_questions_on_sqlite(embedded_env):
    done = subprocess.run([sys.executable, str(PROBE)], env=embedded_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["vendor"] == "sqlite"
    for question, key in QUESTIONS:
        first_key, retrievers, highlights = report["answers"][question][0]
        assert first_key == key, (question, report["answers"][question])
        assert {"lexical", "dense"} <= set(retrievers)
        assert highlights
    assert report["after_delete"] and "bob" not in report["after_delete"]

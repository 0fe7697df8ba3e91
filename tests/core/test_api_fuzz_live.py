"""Done means no 5xx: schemathesis over the whole OpenAPI schema against a
real uvicorn on PostgreSQL, authenticated with a token, bounded in examples.

The run's figures are recorded in docs/testing.md.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
MAX_EXAMPLES = 25  # per operation and phase: bounded, well inside CI's time on 2 cores

# Path parameters that name this run's project half of the time, so the
# operations under /projects/{project_id}/ are reached, not only their 404s.
CONFIG = """
[parameters]
project_id = "${MEMSTACK_FUZZ_PROJECT}"
"""


def test_no_operation_answers_a_server_error(uvicorn_server, member_project, ingest, tmp_path):
    project, owner = member_project["project"], member_project["owner"]
    ingest(project, owner, content="Alice Chen works at Acme Corp. Bob Stone lives in Paris.")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    result = subprocess.run(  # noqa: S603 - our own test tool
        [
            SCHEMATHESIS, "--config-file", str(config), "run", f"{uvicorn_server.url}/api/v1/schema/",
            "--checks", "not_a_server_error",
            "--header", f"Authorization: Token {member_project['token']}",
            "--max-examples", str(MAX_EXAMPLES),
            "--phases", "examples,coverage,fuzzing",
            "--workers", "2",
            "--seed", "20261202",
            "--generation-database", "none",
            "--request-timeout", "30",
            "--no-color",
            "--output-truncate", "true",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "MEMSTACK_FUZZ_PROJECT": str(project.id)},
    )  # fmt: skip
    report = result.stdout + result.stderr
    print(report[-4000:])
    assert result.returncode == 0, f"{report[-8000:]}\n{uvicorn_server.log_tail(80)}"
    assert re.search(r"\d+ passed", report)
    assert " 500 " not in uvicorn_server.log()

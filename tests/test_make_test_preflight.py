"""`make test` stops at once with one line when PostgreSQL or Redis is not answering."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "check_services.py"


def run(**env):
    full = {**os.environ, **env}
    return subprocess.run([sys.executable, str(SCRIPT)], env=full, capture_output=True, text=True, timeout=30)


def test_both_services_answering_passes_silently():
    result = run()
    assert result.returncode == 0
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("variable", "url", "service"),
    [("DATABASE_URL", "postgres://postgres@127.0.0.1:1/gwangmyeong", "PostgreSQL"),
     ("REDIS_URL", "redis://127.0.0.1:1/0", "Redis")],
)
def test_an_unreachable_service_gives_one_line_saying_how_to_start_it(variable, url, service):
    result = run(**{variable: url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert service in lines[0] and "docker compose up -d db redis" in lines[0]
    assert "Traceback" not in result.stderr

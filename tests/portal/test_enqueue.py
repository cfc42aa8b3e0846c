"""A web process's first task lookup imports only the task's module, not Django's whole system check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = """
import django
django.setup()
from django.core import checks
calls = []
original = checks.run_checks
checks.run_checks = lambda *a, **k: calls.append(1) or original(*a, **k)
from gwangmyeong_portal.enqueue import task_by_name
task = task_by_name("notifications.tasks.deliver_message")
print(task.name, len(calls))
try:
    task_by_name("notifications.tasks.no_such_task")
except KeyError:
    print("unknown refused")
try:
    task_by_name("no_such_app.tasks.anything")
except KeyError:
    print("unknown module refused")
"""


def test_first_lookup_in_a_fresh_web_process_runs_no_system_check():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gwangmyeong_portal.settings.test"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.split("\n")
    assert "notifications.tasks.deliver_message 0" in lines  # found, and no system check ran on the way
    assert "unknown refused" in lines and "unknown module refused" in lines

"""The one way a service hands work to Celery: by the task's registered name.

Tasks are thin wrappers that import their app's services; if services imported the tasks back,
every app with background work would have an import circle (closed by imports inside functions,
which the import contract in pyproject.toml now forbids). So services name the task instead:

    enqueue_on_commit("reports.tasks.run_export_job", args=(job.pk,))

The name is the task's dotted path, which is what Celery registers it under; an unknown name
fails at once with ``KeyError`` (and tests/portal/test_architecture.py checks every name used).
"""

from __future__ import annotations

import importlib
from datetime import datetime

from django.db import transaction

from gwangmyeong_portal.celery import app


def task_by_name(name: str):
    """The registered Celery task ``name``. Web processes do not import every ``tasks`` module
    at start, so the first look-up of a name not yet registered imports the module it names.

    Only that module: Celery's ``import_default_modules`` would also run Django's whole system check
    (its worker fixup validates the models), about a second of CPU in each web worker's first request
    that sends a task — measured by bench/rush.py's profile as the first registrations after T0."""
    try:
        return app.tasks[name]
    except KeyError:
        pass
    try:
        importlib.import_module(name.rpartition(".")[0])
    except ImportError:
        raise KeyError(name) from None
    return app.tasks[name]


def enqueue(name: str, *, args: tuple = (), eta: datetime | None = None) -> None:
    """Send task ``name`` now (from a beat job or a task, where there is no transaction to wait for)."""
    task_by_name(name).apply_async(args, eta=eta)


def enqueue_on_commit(name: str, *, args: tuple = (), eta: datetime | None = None) -> None:
    """Send task ``name`` once the current transaction commits, never for work rolled back.

    ``robust``: a broker outage at commit must not turn the caller's saved work into an error
    page. Every caller keeps a row that says the work is pending, and a beat job sends it again
    (notifications: ``message_requeue_due``; reports: ``export_jobs_maintain``).
    """
    transaction.on_commit(lambda: enqueue(name, args=args, eta=eta), robust=True)

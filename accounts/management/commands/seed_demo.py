"""Load the demo data of every app. Idempotent: running it twice changes nothing."""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: partners (agencies) before programs and events, events before matchmaking.
ORDER = ["accounts", "partners", "notifications", "programs", "events", "matchmaking", "reports"]


class Command(BaseCommand):
    help = "Load demo data (accounts, agencies, programs, events) — safe to run repeatedly."

    def handle(self, *args, **options):
        lines: list[str] = []
        for label in ORDER:
            if not apps.is_installed(label):
                continue
            try:
                module = importlib.import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise
                continue
            with transaction.atomic():
                result = module.seed()
            if label == "accounts":
                lines = result
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo accounts (email / password / role):"))
        for line in lines:
            self.stdout.write(line)

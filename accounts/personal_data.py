"""How each app contributes to a citizen's data download and to account deletion.

An app opts in by giving its ``AppConfig`` two methods:

- ``personal_data_export(user) -> dict``: what the app holds about the user, JSON-serialisable.
- ``personal_data_erase(user) -> list[str]``: delete or anonymise the user's data and return a
  sentence per kind of record that must be kept (and why), e.g. decided applications kept for the
  program's legal retention period. An empty list means nothing is kept.

Accounts iterates over installed apps, so adding an app never means editing this module.
"""

from django.apps import apps


def contributing_apps():
    return [config for config in apps.get_app_configs() if hasattr(config, "personal_data_export")]


def erasing_apps():
    return [config for config in apps.get_app_configs() if hasattr(config, "personal_data_erase")]

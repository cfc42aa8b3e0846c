from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """The fair and event calendar with registration, waitlists and check-in."""

    name = "events"
    verbose_name = _("행사·박람회")

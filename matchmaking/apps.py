from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    """The singles-meetup registry for staff of the eleven institutions."""

    name = "matchmaking"
    verbose_name = _("미혼남녀 만남")

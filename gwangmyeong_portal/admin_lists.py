"""Changelists that render fast enough for a review queue read during a registration rush."""

from __future__ import annotations

from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.translation import gettext as _


class QuickActionCheckboxMixin:
    """The changelist's row checkbox (its column head is the changelist template's own) as the same
    markup Django's ``action_checkbox`` renders, written with ``format_html`` instead of a form
    widget's three templates: on a 50-row review queue the widget was a quarter of the page's time
    (bench/request_costs.py, "admin review queue"). tests/portal/test_admin_lists.py compares it with
    Django's own, so an upgrade that changes Django's markup fails there."""

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           helpers.ACTION_CHECKBOX_NAME, str(obj.pk), label)

"""The dates the portal accepts from people: years 1900 to 2200, in every form and query parameter.

Periods are widened by days and split into months, and program windows counted from a date; near
9999-12-31 Python runs out of dates and the page would answer 500. One range for the finder's
timeline, the reports' periods and the events calendar.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1900, 2200


def validate_supported_date(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(_("1900년부터 2200년 사이의 날짜를 적어 주세요."), code="out_of_range")


class DateField(forms.DateField):
    """A date picker (``type=date``) that accepts only the supported years."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_validators = [validate_supported_date]

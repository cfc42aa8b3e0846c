"""Forms for the partners admin pages: they validate; services do the writing."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_clerk

from . import services
from .models import ActivityReport, Lecturer, LectureRequest
from .selectors import membership_for


class ActivityReportAdminForm(forms.ModelForm):
    """The agency comes from the staff member's membership; the clause must be one the agency signed."""

    current_user = None  # set per request by the admin

    class Meta:
        model = ActivityReport
        fields = ["agency", "clause", "date", "title", "description", "participants"]

    def clean(self):
        cleaned = super().clean()
        agency = self.instance.agency if self.instance.agency_id else cleaned.get("agency")
        if not is_clerk(self.current_user):
            membership = membership_for(self.current_user)
            agency = membership.agency if membership else None
            if agency is not None:
                self.instance.agency = agency
        clause = cleaned.get("clause")
        if agency is not None and clause is not None:
            try:
                services.clause_check_signed(agency=agency, clause=clause)
            except ValidationError as exc:
                self.add_error("clause", exc.message_dict["clause"])
        return cleaned


class LectureRequestAdminForm(forms.ModelForm):
    class Meta:
        model = LectureRequest
        fields = ["agency", "audience", "expected_size", "venue", "topic", "preferred_start_1", "preferred_start_2",
                  "preferred_start_3", "note"]

    def clean(self):
        cleaned = super().clean()
        options = [cleaned.get(f"preferred_start_{n}") for n in (1, 2, 3)]
        if any(options):
            try:
                services.lecture_options_validate(options)
            except ValidationError as exc:
                self.add_error("preferred_start_1", exc)
        return cleaned


class ReturnCommentForm(forms.Form):
    comment = forms.CharField(label=_("반려 사유(기관에 전달됩니다)"), widget=forms.Textarea(attrs={"rows": 4}))


class ScheduleForm(forms.Form):
    """Start and end with the admin's date and time pickers (a calendar and a clock, not free text)."""

    lecturer = forms.ModelChoiceField(label=_("강사"), queryset=Lecturer.objects.active())
    start = forms.SplitDateTimeField(label=_("시작 일시"), widget=AdminSplitDateTime)
    end = forms.SplitDateTimeField(label=_("종료 일시"), widget=AdminSplitDateTime)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("거절 사유(기관에 전달됩니다)"), widget=forms.Textarea(attrs={"rows": 4}))


class DeliverForm(forms.Form):
    attendance = forms.IntegerField(label=_("참석 인원"), min_value=0)



class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("철회 사유(기관과 검토 이력에 남습니다)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("취소 사유(요청 기관, 강사, 행사 신청자에게 전달됩니다)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 4}))

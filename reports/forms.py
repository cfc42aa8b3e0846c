"""Forms of the reports pages: the page-wide filter and the detail-export request (with its PIPA reason).

Bad filter values never break a page: ``ReportFilters.from_query`` keeps the good values, falls
back to the defaults for the rest and returns a message for each value it could not use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal import dates
from partners.models import ActivityReport, LectureRequest
from programs.models import Application, LifeStage, Program

# Longest period one page may cover; longer asks would make very long month axes.
MAX_RANGE_DAYS = 366 * 5
FILTER_PARAMS = ("start", "end", "stage")
# Parameters that are not filters but may ride along on a dashboard or table-export URL.
PASSTHROUGH_PARAMS = ("lang",)


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1), today


class ReportFilterForm(forms.Form):
    # Periods are widened by a day and split into months: only the supported years.
    start = dates.DateField(label=_("시작일"), required=False)
    end = dates.DateField(label=_("종료일"), required=False)
    stage = forms.ChoiceField(label=_("생애 단계"), required=False, choices=[("", _("전체")), *LifeStage.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("종료일이 시작일보다 앞섭니다. 기본 기간(최근 12개월)으로 보여 드립니다."),
                                        code="end_before_start")
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("기간은 최대 5년까지 고를 수 있습니다. 기본 기간(최근 12개월)으로 보여 드립니다."),
                code="range_too_long")
        return data


@dataclass(frozen=True)
class ReportFilters:
    """The page-wide filter: an inclusive date range (local dates) and an optional life stage."""

    start: date
    end: date
    stage: str = ""
    messages: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, data, *, today: date | None = None) -> ReportFilters:
        default_start, default_end = default_range(today)
        form = ReportFilterForm(data)
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        messages = []
        for name, errors in form.errors.items():
            if name == "__all__":
                messages.extend(str(e) for e in errors)
            else:
                label = form.fields[name].label
                messages.append(str(_("%(field)s 값을 이해하지 못해 기본값을 씁니다: %(value)s")
                                    % {"field": label, "value": str(data.get(name, ""))[:40]}))
        unknown = sorted(set(data.keys()) - set(FILTER_PARAMS) - set(PASSTHROUGH_PARAMS))
        if unknown:
            messages.append(str(_("알 수 없는 조건은 무시했습니다: %(names)s") % {"names": ", ".join(unknown)[:100]}))
        range_ok = "__all__" not in form.errors
        start = cleaned.get("start") if range_ok else None
        end = cleaned.get("end") if range_ok else None
        if start and not end:
            end = max(start, default_end)
        if end and not start:
            start = min(end, default_start)
        return cls(start=start or default_start, end=end or default_end, stage=cleaned.get("stage") or "",
                   messages=tuple(messages))

    def as_query(self) -> dict[str, str]:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.stage:
            query["stage"] = self.stage
        return query

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "stage": self.stage}

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)


# --- Detail exports -----------------------------------------------------------------------------

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "XLSX (Excel)")]
LANGUAGE_CHOICES = [("ko", _("한국어")), ("en", "English")]


class DetailExportForm(forms.Form):
    """The date range, format and header language of a detail export, and why it is downloaded (PIPA)."""

    # Periods are widened by a day and split into months: only the supported years.
    start = dates.DateField(label=_("시작일"), required=False)
    end = dates.DateField(label=_("종료일"), required=False)
    format = forms.ChoiceField(label=_("파일 형식"), choices=FORMAT_CHOICES, initial="csv")
    lang = forms.ChoiceField(label=_("머리글 언어"), choices=LANGUAGE_CHOICES, initial="ko")
    reason = forms.CharField(
        label=_("내려받는 사유"), min_length=4, max_length=300,
        help_text=_("개인정보가 담긴 파일입니다. 내려받는 목적을 적어 주세요(예: 3월 사업 실적 보고). "
                    "사유는 접속기록에 남습니다."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("종료일이 시작일보다 앞섭니다."))
        return data

    def filters(self) -> dict:
        """The chosen filters as JSON-able values (stored on a background job and in the access log)."""
        result = {}
        for name, value in self.cleaned_data.items():
            if name in ("format", "lang", "reason") or value in (None, ""):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif hasattr(value, "pk"):
                value = value.pk
            result[name] = value
        return result


class ApplicationExportForm(DetailExportForm):
    """The admin's application filters: program, life stage, status, submission date."""

    program = forms.ModelChoiceField(label=_("사업"), queryset=Program.objects.all(), required=False,
                                     empty_label=_("전체"))
    stage = forms.ChoiceField(label=_("생애 단계"), required=False, choices=[("", _("전체")), *LifeStage.choices])
    status = forms.ChoiceField(label=_("상태"), required=False,
                               choices=[("", _("전체")), *[c for c in Application.Status.choices if c[0] != "draft"]])
    field_order = ["program", "stage", "status", "start", "end", "format", "lang", "reason"]


class AttendeeExportForm(DetailExportForm):
    stage = forms.ChoiceField(label=_("생애 단계"), required=False, choices=[("", _("전체")), *LifeStage.choices])
    field_order = ["stage", "start", "end", "format", "lang", "reason"]


class ActivityExportForm(DetailExportForm):
    status = forms.ChoiceField(label=_("상태"), required=False,
                               choices=[("", _("전체")), *ActivityReport.Status.choices])
    field_order = ["status", "start", "end", "format", "lang", "reason"]


class LectureExportForm(DetailExportForm):
    status = forms.ChoiceField(label=_("상태"), required=False,
                               choices=[("", _("전체")), *LectureRequest.Status.choices])
    field_order = ["status", "start", "end", "format", "lang", "reason"]

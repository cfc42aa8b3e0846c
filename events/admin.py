"""The events admin for organisers: agency staff with ``can_manage_events`` see and manage only their
agency's events and registrations (``managed_by``), clerks all. Attendee lists export to CSV and
XLSX after the staff member gives a reason (PIPA), each export written to the access log."""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_clerk
from gwangmyeong_portal.access_log import AccessLoggedAdminMixin, access_log_record
from gwangmyeong_portal.admin_workflow import WorkflowDeleteMixin
from gwangmyeong_portal.exports import XLSX_CONTENT_TYPE, DownloadReasonForm, csv_stream, xlsx_write
from partners.selectors import membership_for

from . import services
from .forms import MessageForm
from .models import Event, EventSeries, Feedback, LifeStage, OrganiserMessage, Registration, stages_to_text

S = Registration.Status
# Event fields the change form may write; the rest of the form (m2m, confirmation) is handled apart.
EVENT_FIELDS = frozenset(f.name for f in Event._meta.concrete_fields)


def _agency_of(request):
    membership = membership_for(request.user)
    return membership.agency if membership is not None and membership.can_manage_events else None


class EventManagersOnlyMixin:
    """Only clerks and agency staff holding ``can_manage_events`` see the events admin at all;
    other agency staff (who may report activities, say) get 403, not an empty list."""

    def _may_manage(self, request) -> bool:
        return is_clerk(request.user) or _agency_of(request) is not None

    def has_module_permission(self, request):
        return self._may_manage(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._may_manage(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request) and super().has_delete_permission(request, obj)


class StagesFormMixin(forms.ModelForm):
    """Life stages as check boxes, stored as the comma list of codes."""

    life_stages = forms.MultipleChoiceField(label=_("생애주기"), choices=LifeStage.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["life_stages"] = self.instance.stage_list

    def clean_life_stages(self):
        return stages_to_text(self.cleaned_data.get("life_stages"))

    def clean_questions(self):
        questions = self.cleaned_data.get("questions") or []
        if not isinstance(questions, list) or not all(isinstance(q, dict) and q.get("key") for q in questions):
            raise ValidationError(
                _('질문은 [{"key": "…", "label_ko": "…", "required": true}] 형식의 목록이어야 합니다.'))
        return questions


COMMON_FIELDS = (
    "title_ko", "title_en", "type", "life_stages", "is_public", "description_ko", "description_en", "audience",
    "organiser", "organiser_office", "venue", "address", "registration_required", "capacity", "party_size_max",
    "waitlist_limit", "offer_hold_hours", "questions",
)


class EventAdminForm(StagesFormMixin):
    """Cancelling or postponing from the change form asks for the reason registrants receive and
    for a confirmation, like the list's cancel and postpone actions."""

    status_reason = forms.CharField(
        label=_("취소·연기 사유"), required=False, max_length=300,
        help_text=_("상태를 취소나 연기로 바꿀 때 적습니다. 신청자에게 그대로 보냅니다."))
    status_confirm = forms.BooleanField(
        label=_("신청자에게 알리고 상태를 바꿉니다"), required=False,
        help_text=_("취소·연기는 되돌려도 이미 보낸 안내가 남습니다."))

    class Meta:
        model = Event
        fields = (*COMMON_FIELDS, "status", "parent", "series", "starts_at", "ends_at", "registration_opens_at",
                  "registration_closes_at", "programs")

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if self.instance.pk and "status" in self.changed_data and status in (Event.Status.CANCELLED,
                                                                              Event.Status.POSTPONED):
            if not (cleaned.get("status_reason") or "").strip():
                self.add_error("status_reason", _("신청자에게 보낼 사유를 적어 주세요."))
            if not cleaned.get("status_confirm"):
                self.add_error("status_confirm", _("신청자에게 알리고 상태를 바꾸려면 확인란에 체크해 주세요."))
        return cleaned


class EventSeriesAdminForm(StagesFormMixin):
    class Meta:
        model = EventSeries
        fields = (*COMMON_FIELDS, "weekday", "start_time", "duration_minutes", "first_date", "last_date",
                  "registration_opens_days_before", "registration_closes_hours_before", "course_registration")


class OrganiserScopedAdmin(EventManagersOnlyMixin, admin.ModelAdmin):
    """Agency staff: only their agency as organiser, and new rows are theirs."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        agency = _agency_of(request)
        if db_field.name == "organiser" and not is_clerk(request.user):
            from partners.models import Agency

            kwargs["queryset"] = Agency.objects.filter(pk=agency.pk) if agency else Agency.objects.none()
            kwargs["required"] = True
            # Not the model's "leave blank for a city office": for agency staff it is required.
            kwargs["help_text"] = _("소속 기관의 행사로 등록됩니다.")
        if db_field.name == "parent":
            kwargs["queryset"] = Event.objects.managed_by(request.user).filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("찾는 행사가 없거나 관리할 권한이 없습니다."))
        return obj


class StatusChangeForm(forms.Form):
    reason = forms.CharField(label=_("사유 (신청자에게 보냅니다)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("신청자에게 알리고 상태를 바꿉니다"),
                                 error_messages={"required": _("확인란에 체크해 주세요.")})


# No contact details in any export (names and registration facts only): organisers reach
# registrants through the "message registrants" action, which goes through notify().
# One more column per question the exported events ask (see ``attendee_table``).
EXPORT_HEADER = [_("행사"), _("일시"), _("이름"), _("인원"), _("상태"), _("신청 시각"), _("입장 확인")]


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _registrations_for_export(events):
    return (
        Registration.objects.filter(event__in=events).exclude(status=S.CANCELLED)
        .select_related("event", "user").order_by("event__starts_at", "event_id", "created_at", "pk")
    )


def attendee_table(events) -> tuple[list[str], list[list]]:
    """The attendee list of ``events``: header and one row per registration (not cancelled), in
    event and registration order. Each question the events ask is a column of its own, headed by
    its Korean label (events asking the same key share the column); answers to questions since
    removed get a column named by their key."""
    registrations = list(_registrations_for_export(events))
    columns: dict[str, str] = {}
    for event in {r.event_id: r.event for r in registrations}.values():
        for question in event.questions or []:
            key = str(question.get("key", ""))
            if key and key not in columns:
                columns[key] = str(question.get("label_ko") or key)
    for registration in registrations:
        for key in registration.answers or {}:
            columns.setdefault(str(key), str(key))
    header = [str(label) for label in EXPORT_HEADER] + list(columns.values())
    rows = [
        [r.event.title_ko, _when(r.event.starts_at), r.user.name, r.party_size,
         r.get_status_display(), _when(r.created_at), _when(r.checked_in_at),
         *[str((r.answers or {}).get(key, "")) for key in columns]]
        for r in registrations
    ]
    return header, rows


def attendee_rows(events) -> list[list]:
    """The rows of ``attendee_table`` (kept for callers that want only them)."""
    return attendee_table(events)[1]


@admin.register(Event)
class EventAdmin(WorkflowDeleteMixin, OrganiserScopedAdmin):
    form = EventAdminForm
    list_display = ("title_ko", "type", "starts_at", "status", "organiser_label", "capacity", "registration_required")
    list_filter = ("type", "status", "registration_required", ("organiser", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title_ko", "title_en", "venue")
    date_hierarchy = "starts_at"
    list_select_related = ("organiser",)
    readonly_fields = ("sequence", "created_at", "updated_at")
    actions = ("export_attendees_csv", "export_attendees_xlsx", "message_registrants", "cancel_events",
               "postpone_events")
    fieldsets = (
        (None, {"fields": ("title_ko", "title_en", "type", "life_stages", "status", "status_reason", "status_confirm",
                           "is_public", "parent", "series")}),
        (_("설명"), {"fields": ("description_ko", "description_en", "audience")}),
        (_("주관·장소·일시"), {"fields": ("organiser", "organiser_office", "venue", "address", "starts_at",
                                      "ends_at")}),
        (_("신청"), {"fields": ("registration_required", "registration_opens_at", "registration_closes_at", "capacity",
                              "party_size_max", "waitlist_limit", "offer_hold_hours", "questions")}),
        (_("연결된 사업 (부스 QR 포스터)"), {"fields": ("programs",)}),
        (_("기록"), {"fields": ("sequence", "created_at", "updated_at")}),
    )
    filter_horizontal = ("programs",)

    def get_queryset(self, request):
        return Event.objects.managed_by(request.user).select_related("organiser")

    @admin.display(description=_("주관"), ordering="organiser__name_ko")
    def organiser_label(self, obj):
        return obj.organiser_name

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            agency = _agency_of(request)
            if agency is not None and not is_clerk(request.user):
                obj.organiser = agency
            super().save_model(request, obj, form, change)
            return
        # A change goes through the service: registrants are told of a new time, place or status,
        # calendars pick it up, freed places (capacity raised) are offered to the waitlist.
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_FIELDS}
        services.event_update(event=obj, values=values, reason=form.cleaned_data.get("status_reason", ""),
                              changed_by=request.user)
        obj.refresh_from_db()

    # --- Actions ------------------------------------------------------------------------------

    def _reason_step(self, request, queryset, action: str, title):
        """Intermediate page asking why; returns the reason once given, else the page."""
        form = DownloadReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            return form.cleaned_data["reason"]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "title": title,
                   "queryset": queryset, "action": action, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/events/action_form.html", context)

    def _log_export(self, request, queryset, rows, reason, fmt):
        access_log_record(action="export", request=request, record_type="events.registration", reason=reason,
                          record_id=",".join(str(pk) for pk in queryset.values_list("pk", flat=True))[:80],
                          detail={"rows": len(rows), "format": fmt,
                                  "events": list(queryset.values_list("pk", flat=True))})

    @admin.action(description=_("참석자 명단 내려받기 (CSV)"))
    def export_attendees_csv(self, request, queryset):
        reason = self._reason_step(request, queryset, "export_attendees_csv", _("참석자 명단 내려받기 (CSV)"))
        if not isinstance(reason, str):
            return reason
        header, rows = attendee_table(queryset)
        response = HttpResponse(b"".join(csv_stream(header, rows)),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="attendees-{timezone.localdate():%Y%m%d}.csv"'
        self._log_export(request, queryset, rows, reason, "csv")
        return response

    @admin.action(description=_("참석자 명단 내려받기 (XLSX)"))
    def export_attendees_xlsx(self, request, queryset):
        reason = self._reason_step(request, queryset, "export_attendees_xlsx", _("참석자 명단 내려받기 (XLSX)"))
        if not isinstance(reason, str):
            return reason
        header, rows = attendee_table(queryset)
        buffer = io.BytesIO()
        xlsx_write(buffer, header, rows, title=gettext("참석자"))
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="attendees-{timezone.localdate():%Y%m%d}.xlsx"'
        self._log_export(request, queryset, rows, reason, "xlsx")
        return response

    @admin.action(description=_("신청자에게 안내 보내기"), permissions=["change"])
    def message_registrants(self, request, queryset):
        form = MessageForm(request.POST if "text" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            if not data["again"]:
                # The same text to the same people again is refused for every event, before any is sent.
                for event in queryset:
                    previous = services.organiser_message_previous(event=event, statuses=data["statuses"],
                                                                   text=data["text"])
                    if previous is not None:
                        form.add_error(None, f"{event}: {services.AlreadySent(previous).messages[0]}")
            if form.is_valid():
                total = 0
                for event in queryset:
                    total += services.registrants_message(event=event, statuses=data["statuses"], text=data["text"],
                                                          sent_by=request.user, send_at=data["send_at"], again=True)
                if data["send_at"] and data["send_at"] > timezone.now():
                    messages.success(request, gettext("%(when)s에 보내도록 예약했습니다.")
                                     % {"when": services.format_when(data["send_at"])})
                else:
                    messages.success(request, gettext("%(n)s명에게 안내를 보냈습니다.") % {"n": total})
                return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("신청자에게 안내 보내기"), "queryset": queryset, "action": "message_registrants",
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/events/action_form.html", context)

    def _status_step(self, request, queryset, action: str, title):
        """Intermediate page: which events, how many people will be told, and the reason they receive.
        Returns the reason once given and confirmed, else the page."""
        form = StatusChangeForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            return form.cleaned_data["reason"]
        told = Registration.objects.filter(event__in=queryset, status__in=Registration.ACTIVE).count()
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "title": title,
                   "queryset": queryset, "action": action, "told": told,
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/events/action_form.html", context)

    @admin.action(description=_("선택한 행사 취소 (신청자에게 알림)"), permissions=["change"])
    def cancel_events(self, request, queryset):
        reason = self._status_step(request, queryset, "cancel_events", _("선택한 행사 취소"))
        if not isinstance(reason, str):
            return reason
        for event in queryset:
            services.event_cancel(event=event, reason=reason)
        messages.success(request, gettext("선택한 행사를 취소하고 신청자에게 사유와 함께 알렸습니다."))
        return None

    @admin.action(description=_("선택한 행사 연기 (신청자에게 알림)"), permissions=["change"])
    def postpone_events(self, request, queryset):
        reason = self._status_step(request, queryset, "postpone_events", _("선택한 행사 연기"))
        if not isinstance(reason, str):
            return reason
        for event in queryset.exclude(status=Event.Status.CANCELLED):
            services.event_postpone(event=event, reason=reason, changed_by=request.user)
        messages.success(request, gettext("선택한 행사를 연기하고 신청자에게 사유와 함께 알렸습니다."))
        return None


@admin.register(EventSeries)
class EventSeriesAdmin(OrganiserScopedAdmin):
    form = EventSeriesAdminForm
    list_display = ("title_ko", "weekday", "start_time", "first_date", "last_date", "capacity")
    list_filter = ("type", "weekday", "registration_required", ("organiser", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title_ko", "title_en", "venue")
    list_select_related = ("organiser",)
    actions = ("generate_occurrences",)

    def get_queryset(self, request):
        if is_clerk(request.user):
            return EventSeries.objects.all()
        agency = _agency_of(request)
        return EventSeries.objects.filter(organiser=agency) if agency else EventSeries.objects.none()

    def save_model(self, request, obj, form, change):
        agency = _agency_of(request)
        if not change and agency is not None and not is_clerk(request.user):
            obj.organiser = agency
        super().save_model(request, obj, form, change)

    @admin.action(description=_("주별 회차 만들기"), permissions=["add"])
    def generate_occurrences(self, request, queryset):
        total = sum(len(services.series_generate_occurrences(series=series)) for series in queryset)
        messages.success(request, gettext("회차 %(n)s개가 달력에 있습니다.") % {"n": total})


@admin.register(Registration)
class RegistrationAdmin(WorkflowDeleteMixin, EventManagersOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("event", "user", "party_size", "status", "created_at", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("user__name", "user__email", "event__title_ko")
    list_select_related = ("event", "user")
    readonly_fields = ("event", "user", "party_size", "status", "answers", "offer_expires_at", "checked_in_at",
                       "cancelled_at", "created_at")
    fields = readonly_fields
    actions = ("cancel_registrations",)

    def get_queryset(self, request):
        return Registration.objects.filter(event__in=Event.objects.managed_by(request.user).values("pk"))

    def has_add_permission(self, request):
        return False  # citizens register themselves; staff never create registrations for them

    def delete_model(self, request, obj):
        event_id = obj.event_id
        super().delete_model(request, obj)
        services.event_offer_free_places(event=event_id)  # the removed place goes to the waitlist

    def delete_queryset(self, request, queryset):
        event_ids = set(queryset.values_list("event_id", flat=True))
        super().delete_queryset(request, queryset)
        for event_id in sorted(event_ids):
            services.event_offer_free_places(event=event_id)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("찾는 신청이 없거나 볼 권한이 없습니다."))
        return obj

    @admin.action(description=_("선택한 신청 취소 (다음 대기자에게 제안)"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration in queryset.select_related("event", "user"):
            try:
                services.registration_cancel(registration=registration)
            except ValidationError as exc:
                messages.warning(request, f"{registration}: {' '.join(exc.messages)}")
            else:
                # Cancelling for someone changes their personal data: one access-log row each.
                access_log_record(action="change", request=request, obj=registration,
                                  detail={"event": registration.event_id, "cancelled": True})
                done += 1
        messages.success(request, gettext("%(n)s건을 취소했습니다.") % {"n": done})


@admin.register(Feedback)
class FeedbackAdmin(EventManagersOnlyMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("registration", "rating", "created_at")
    list_filter = ("rating",)
    search_fields = ("registration__event__title_ko", "registration__user__name")
    readonly_fields = ("registration", "rating", "comment", "created_at")

    def get_queryset(self, request):
        managed = Event.objects.managed_by(request.user).values("pk")
        # The registration column prints "<event> — <user> (<status>)": both are joined here, since a
        # queryset that already selects related rows makes the changelist skip list_select_related.
        return (Feedback.objects.filter(registration__event__in=managed)
                .select_related("registration__event", "registration__user"))

    def has_add_permission(self, request):
        return False


@admin.register(OrganiserMessage)
class OrganiserMessageAdmin(EventManagersOnlyMixin, admin.ModelAdmin):
    """The history of messages organisers sent or scheduled to registrants (read only)."""

    list_display = ("event", "text_start", "statuses", "sent_by", "send_at", "sent_at", "recipient_count")
    list_filter = (("sent_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("event__title_ko", "text")
    list_select_related = ("event", "sent_by")
    readonly_fields = ("event", "text", "statuses", "sent_by", "created_at", "send_at", "sent_at", "cancelled_at",
                       "recipient_count")
    fields = readonly_fields

    def get_queryset(self, request):
        return OrganiserMessage.objects.filter(event__in=Event.objects.managed_by(request.user).values("pk"))

    @admin.display(description=_("내용"))
    def text_start(self, obj):
        return obj.text[:40]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

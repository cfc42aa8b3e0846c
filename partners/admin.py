"""The partners admin: agency staff see and edit only their own agency's rows (``visible_to``),
clerks see everything and decide. Every state change goes through ``partners.services``."""


from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_clerk
from gwangmyeong_portal.access_log import AccessLoggedAdminMixin, access_log_record
from gwangmyeong_portal.admin_workflow import WorkflowDeleteMixin
from gwangmyeong_portal.exports import DownloadReasonForm, csv_stream
from gwangmyeong_portal.models import AccessLogEntry
from gwangmyeong_portal.uploads import private_file_response

from . import services
from .forms import (
    ActivityReportAdminForm,
    CancelForm,
    DeclineForm,
    DeliverForm,
    LectureRequestAdminForm,
    ReturnCommentForm,
    ScheduleForm,
    WithdrawForm,
)
from .models import (
    ActivityEvidence,
    ActivityReport,
    ActivityReportEvent,
    Agency,
    AgencyEmailDomain,
    AgencyMembership,
    Agreement,
    Clause,
    Commitment,
    Lecturer,
    LectureRequest,
)
from .selectors import membership_for


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_error(form, exc: ValidationError) -> None:
    """Show a service's refusal once: next to the field it names when the form has that field,
    otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, [e for error in errors for e in error.messages])
    else:
        form.add_error(None, _error_text(exc))


class ScopedAdminMixin:
    """Rows through ``Model.objects.visible_to(user)``; another agency's id answers 404."""

    def get_queryset(self, request):
        qs = self.model._default_manager.visible_to(request.user)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("찾는 자료가 없거나 볼 수 있는 권한이 없습니다."))
        return obj


class CsvExportMixin:
    """``<changelist>/export/``: asks for a reason, then hands out the rows the user may see as CSV
    and writes the export to the access log."""

    change_list_template = "admin/partners/change_list_export.html"
    export_columns: tuple = ()

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        urls = [path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info))]
        return urls + super().get_urls()

    def export_rows(self, request):
        return self.get_queryset(request)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DownloadReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            rows = list(self.export_rows(request))
            header = [str(label) for label, _getter in self.export_columns]
            lines = ([getter(obj) for _label, getter in self.export_columns] for obj in rows)
            response = HttpResponse(b"".join(csv_stream(header, lines)), content_type="text/csv; charset=utf-8")
            name = f"{self.model._meta.model_name}-{timezone.localdate():%Y%m%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            access_log_record(action=AccessLogEntry.Action.EXPORT, request=request,
                              record_type=self.model._meta.label_lower, reason=form.cleaned_data["reason"],
                              detail={"rows": len(rows), "ids": [obj.pk for obj in rows][:500]})
            return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("CSV로 내려받기")}
        return TemplateResponse(request, "admin/partners/export.html", context)


def _when(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


# --- Agencies and memberships -----------------------------------------------------------------

class AgencyEmailDomainInline(admin.TabularInline):
    model = AgencyEmailDomain
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "kind", "is_city", "is_active", "order")
    list_filter = ("kind", "is_active")
    search_fields = ("name_ko", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [AgencyEmailDomainInline]
    # A site typed without a scheme ("www.gm.go.kr") is saved as https://, the public sites' scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(ScopedAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "agency", "can_report_activities", "can_request_lectures", "can_verify_employees",
                    "can_manage_events")
    list_filter = ("agency",)
    search_fields = ("user__email", "user__name")
    raw_id_fields = ("user",)
    list_select_related = ("user", "agency")


# --- Agreement, clauses, commitments ------------------------------------------------------------

class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    filter_horizontal = ("signatories",)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title_ko", "signed_on")
    search_fields = ("title_ko", "title_en")
    filter_horizontal = ("parties",)
    inlines = [ClauseInline]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("agency", "clause", "text_ko", "target_count", "unit_ko", "period")
    list_filter = ("agency", "clause__number")
    search_fields = ("text_ko", "text_en", "agency__name_ko")
    list_select_related = ("agency", "clause")


# --- Activity reports -------------------------------------------------------------------------

class ActivityEvidenceInline(admin.TabularInline):
    model = ActivityEvidence
    extra = 1
    fields = ("file", "download")
    readonly_fields = ("download",)
    # Uploads are never served by URL: no "currently: <link>" here, the download column goes through a check.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    def get_queryset(self, request):
        return ActivityEvidence.objects.visible_to(request.user)

    @admin.display(description=_("내려받기"))
    def download(self, obj):
        if not obj.pk:
            return "-"
        url = reverse("admin:partners_activityevidence_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name or _("파일"))

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


REPORT_STATUS_FIELDS = ("status", "city_comment", "created_by", "submitted_by", "submitted_at", "decided_by",
                        "decided_at", "review_history")


@admin.register(ActivityReport)
class ActivityReportAdmin(WorkflowDeleteMixin, ScopedAdminMixin, CsvExportMixin, AccessLoggedAdminMixin,
                          admin.ModelAdmin):
    form = ActivityReportAdminForm
    list_display = ("title", "agency", "clause_number", "date", "participants", "status", "submitted_at")
    list_filter = ("status", "clause__number", "agency")
    search_fields = ("title", "description")
    date_hierarchy = "date"
    list_select_related = ("agency", "clause")
    inlines = [ActivityEvidenceInline]
    actions = ["submit_reports", "accept_reports", "return_reports", "withdraw_reports"]
    export_columns = (
        (_("번호"), lambda r: r.pk), (_("기관"), lambda r: r.agency.name_ko), (_("조항"), lambda r: r.clause.number),
        (_("활동일"), lambda r: r.date.isoformat()), (_("제목"), lambda r: r.title),
        (_("참여 인원"), lambda r: r.participants), (_("상태"), lambda r: r.get_status_display()),
        (_("시 의견"), lambda r: r.city_comment), (_("제출 일시"), lambda r: _when(r.submitted_at)),
    )

    @admin.display(description=_("조항"), ordering="clause__number")
    def clause_number(self, obj):
        return obj.clause.number

    @admin.display(description=_("검토 이력"))
    def review_history(self, obj):
        """Every step with who, when and what was said: a return reason stays readable after the
        report is accepted. Shown to the agency and to the city on the report's page."""
        events = list(ActivityReportEvent.objects.filter(report=obj).select_related("actor"))
        if not events:
            return "-"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((_when(e.at), e.get_to_status_display(), (e.actor.name or e.actor.email) if e.actor else "-",
              e.note or "-") for e in events),
        )
        return format_html(
            '<table class="portal-history"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("일시"), _("처리"), _("처리한 사람"), _("사유·의견"), rows)

    def get_fields(self, request, obj=None):
        fields = ["clause", "date", "title", "description", "participants"]
        if is_clerk(request.user):
            fields.insert(0, "agency")
        return fields + (list(REPORT_STATUS_FIELDS) if obj else [])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not obj.is_editable:
            return ("agency", "clause", "date", "title", "description", "participants", *REPORT_STATUS_FIELDS)
        return ("agency", *REPORT_STATUS_FIELDS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.current_user = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "clause" and not is_clerk(request.user):
            membership = membership_for(request.user)
            kwargs["queryset"] = (membership.agency.signed_clauses.all() if membership else Clause.objects.none())
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.partners()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.activity_report_create(
            actor=request.user, agency=obj.agency if is_clerk(request.user) else None, clause=obj.clause,
            date=obj.date, title=obj.title, description=obj.description, participants=obj.participants,
        )
        obj.pk, obj._state.adding = created.pk, False
        obj.agency, obj.created_by, obj.created_at = created.agency, created.created_by, created.created_at

    def get_urls(self):
        urls = [path("evidence/<int:pk>/download/", self.admin_site.admin_view(self.evidence_download),
                     name="partners_activityevidence_download")]
        return urls + super().get_urls()

    def evidence_download(self, request, pk):
        evidence = ActivityEvidence.objects.visible_to(request.user).filter(pk=pk).first()
        if evidence is None or not self.has_view_permission(request):
            raise Http404
        access_log_record(action=AccessLogEntry.Action.VIEW, request=request, obj=evidence.report,
                          detail={"evidence": evidence.pk})
        return private_file_response(evidence.file, download_name=evidence.original_name or "evidence",
                                     request=request)

    def _run(self, request, queryset, service, done_message, **kwargs):
        done = 0
        for report in queryset:
            try:
                service(report=report, actor=request.user, **kwargs)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{report.title}: {text}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("선택한 보고 제출"), permissions=["change"])
    def submit_reports(self, request, queryset):
        self._run(request, queryset, services.activity_report_submit, _("%(count)s건을 제출했습니다."))

    @admin.action(description=_("선택한 보고 승인(시 담당자)"), permissions=["decide"])
    def accept_reports(self, request, queryset):
        self._run(request, queryset, services.activity_report_accept, _("%(count)s건을 승인했습니다."))

    @admin.action(description=_("선택한 보고 반려(사유 입력, 시 담당자)"), permissions=["decide"])
    def return_reports(self, request, queryset):
        form = ReturnCommentForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._run(request, queryset, services.activity_report_return, _("%(count)s건을 반려했습니다."),
                      comment=form.cleaned_data["comment"])
            return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "queryset": queryset, "action": "return_reports", "title": _("활동 보고 반려"),
                   "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/partners/action_form.html", context)

    @admin.action(description=_("선택한 보고 철회(사유 입력, 삭제 대신)"), permissions=["change"])
    def withdraw_reports(self, request, queryset):
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(request, queryset, services.activity_report_withdraw, _("%(count)s건을 철회했습니다."),
                      reason=reason)
            return None
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "queryset": queryset, "action": "withdraw_reports", "title": _("활동 보고 철회"),
                   "submit_label": _("철회"), "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/partners/action_form.html", context)

    def has_decide_permission(self, request):
        return is_clerk(request.user)

    def _may_report(self, request) -> bool:
        """Agency staff write and change reports only with their membership's reporting right (the
        same rule as ``services.activity_report_create``); without it they may read them."""
        if is_clerk(request.user):
            return True
        membership = membership_for(request.user)
        return bool(membership and membership.can_report_activities)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_report(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_report(request)


# --- Lecturers and lecture requests -------------------------------------------------------------

@admin.register(Lecturer)
class LecturerAdmin(ScopedAdminMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "topics", "phone", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "topics")
    raw_id_fields = ("user",)


LECTURE_STATUS_FIELDS = ("status", "requested_by", "lecturer", "scheduled_start", "scheduled_end", "decline_reason",
                         "cancel_reason", "attendance", "decided_by", "event", "workflow")


def _schedule_initial(lecture: LectureRequest) -> dict:
    """The pickers start at the booked time, or at the agency's first wish for two hours."""
    start = lecture.scheduled_start or lecture.preferred_start_1
    end = lecture.scheduled_end or (start + timedelta(hours=2) if start else None)
    return {"lecturer": lecture.lecturer_id, "start": start, "end": end}


@admin.register(LectureRequest)
class LectureRequestAdmin(WorkflowDeleteMixin, ScopedAdminMixin, CsvExportMixin, AccessLoggedAdminMixin,
                          admin.ModelAdmin):
    form = LectureRequestAdminForm
    list_display = ("topic", "agency", "audience", "expected_size", "preferred_start_1", "status", "lecturer",
                    "scheduled_start")
    list_filter = ("status", "audience", "agency")
    search_fields = ("topic", "venue")
    list_select_related = ("agency", "lecturer")
    actions = ["cancel_requests"]
    export_columns = (
        (_("번호"), lambda r: r.pk), (_("기관"), lambda r: r.agency.name_ko), (_("주제"), lambda r: r.topic),
        (_("대상"), lambda r: r.get_audience_display()), (_("예상 인원"), lambda r: r.expected_size),
        (_("장소"), lambda r: r.venue), (_("상태"), lambda r: r.get_status_display()),
        (_("강사"), lambda r: r.lecturer.name if r.lecturer else ""),
        (_("확정 시작"), lambda r: _when(r.scheduled_start)), (_("확정 종료"), lambda r: _when(r.scheduled_end)),
        (_("참석 인원"), lambda r: "" if r.attendance is None else r.attendance),
        (_("요청자"), lambda r: str(r.requested_by or "")),
    )

    def get_fields(self, request, obj=None):
        fields = ["audience", "expected_size", "venue", "topic", "preferred_start_1", "preferred_start_2",
                  "preferred_start_3", "note"]
        if is_clerk(request.user) or obj is not None:
            fields.insert(0, "agency")
        return fields + (list(LECTURE_STATUS_FIELDS) if obj else [])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # After the request is made it changes only through the workflow below.
        return tuple(self.get_fields(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.partners()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # everything is read-only after creation
        created = services.lecture_request_create(
            actor=request.user, agency=obj.agency if is_clerk(request.user) else None, audience=obj.audience,
            expected_size=obj.expected_size, venue=obj.venue, topic=obj.topic, note=obj.note,
            preferred_starts=[obj.preferred_start_1, obj.preferred_start_2, obj.preferred_start_3],
        )
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
        obj._state.adding = False
        access_log_record(action=AccessLogEntry.Action.CREATE, request=request, obj=obj)

    def _cancel_before_delete(self, request, lectures) -> None:
        """A superuser's true delete of an open lecture first cancels it through the workflow, so
        the requester and lecturer are told and its calendar event is cancelled (registrants told)."""
        reason = getattr(request, "_portal_delete_reason", "") or str(_("관리자가 삭제했습니다."))
        for lecture in lectures:
            if lecture.status in LectureRequest.TRANSITIONS["cancel"][0]:
                services.lecture_request_cancel(lecture=lecture, actor=request.user, reason=reason)

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._cancel_before_delete(request, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            self._cancel_before_delete(request, list(queryset))
            super().delete_queryset(request, queryset)

    @admin.display(description=_("처리"))
    def workflow(self, obj):
        links = []
        info = "admin:partners_lecturerequest_"
        if obj.status == LectureRequest.Status.REQUESTED:
            links += [(reverse(info + "schedule", args=[obj.pk]), _("강사·일시 배정")),
                      (reverse(info + "decline", args=[obj.pk]), _("거절"))]
        elif obj.status == LectureRequest.Status.SCHEDULED:
            links += [(reverse(info + "schedule", args=[obj.pk]), _("일정 변경")),
                      (reverse(info + "deliver", args=[obj.pk]), _("강의 완료 기록"))]
        if obj.status in LectureRequest.TRANSITIONS["cancel"][0]:
            links.append((reverse(info + "cancel", args=[obj.pk]), _("취소(사유 입력)")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links) or "-"

    def get_urls(self):
        urls = [
            path("<path:object_id>/schedule/", self.admin_site.admin_view(self.schedule_view),
                 name="partners_lecturerequest_schedule"),
            path("<path:object_id>/decline/", self.admin_site.admin_view(self.decline_view),
                 name="partners_lecturerequest_decline"),
            path("<path:object_id>/deliver/", self.admin_site.admin_view(self.deliver_view),
                 name="partners_lecturerequest_deliver"),
            path("<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view),
                 name="partners_lecturerequest_cancel"),
        ]
        return urls + super().get_urls()

    def _step_view(self, request, object_id, *, form_class, title, run, clerk_only=True, initial=None):
        obj = self.get_object(request, unquote(object_id))
        if clerk_only and not is_clerk(request.user) or not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = form_class(request.POST or None, initial=initial(obj) if initial else None)
        if request.method == "POST" and form.is_valid():
            try:
                run(obj, form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                self.message_user(request, _("처리했습니다."), messages.SUCCESS)
                return redirect("admin:partners_lecturerequest_change", obj.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "original": obj, "title": title}
        return TemplateResponse(request, "admin/partners/step_form.html", context)

    def schedule_view(self, request, object_id):
        return self._step_view(
            request, object_id, form_class=ScheduleForm, title=_("강사·일시 배정"), initial=_schedule_initial,
            run=lambda obj, data: services.lecture_request_schedule(
                lecture=obj, actor=request.user, lecturer=data["lecturer"], start=data["start"], end=data["end"]),
        )

    def decline_view(self, request, object_id):
        return self._step_view(
            request, object_id, form_class=DeclineForm, title=_("강사 파견 요청 거절"),
            run=lambda obj, data: services.lecture_request_decline(lecture=obj, actor=request.user,
                                                                   reason=data["reason"]),
        )

    def cancel_view(self, request, object_id):
        return self._step_view(
            request, object_id, form_class=CancelForm, title=_("강사 파견 취소"), clerk_only=False,
            run=lambda obj, data: services.lecture_request_cancel(lecture=obj, actor=request.user,
                                                                  reason=data["reason"]),
        )

    def deliver_view(self, request, object_id):
        return self._step_view(
            request, object_id, form_class=DeliverForm, title=_("강의 완료 기록"), clerk_only=False,
            run=lambda obj, data: services.lecture_request_deliver(lecture=obj, actor=request.user,
                                                                   attendance=data["attendance"]),
        )

    @admin.action(description=_("선택한 요청 취소(사유 입력, 삭제 대신)"), permissions=["change"])
    def cancel_requests(self, request, queryset):
        """The workflow's step instead of a delete: the requester and the lecturer are told, and a
        scheduled lecture's calendar event is cancelled (its registrants are told by the events app)."""
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if not ("apply" in request.POST and form.is_valid()):
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                       "queryset": queryset, "action": "cancel_requests", "title": _("강사 파견 취소"),
                       "submit_label": _("취소 처리"), "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}
            return TemplateResponse(request, "admin/partners/action_form.html", context)
        done = 0
        for lecture in queryset:
            try:
                services.lecture_request_cancel(lecture=lecture, actor=request.user,
                                                reason=form.cleaned_data["reason"])
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{lecture.topic}: {text}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)s건을 취소했습니다.") % {"count": done}, messages.SUCCESS)

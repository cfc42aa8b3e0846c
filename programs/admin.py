"""Staff review of applications and editing of the catalog.

Every look at an application is written to the personal-data access log
(``AccessLoggedAdminMixin``); decisions go through ``programs.services`` so the citizen is
notified and the history is kept. Reasons and messages are required on an intermediate page.
"""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from gwangmyeong_portal.access_log import AccessLoggedAdminMixin, access_log_record
from gwangmyeong_portal.admin_lists import QuickActionCheckboxMixin
from gwangmyeong_portal.admin_workflow import WorkflowDeleteMixin
from gwangmyeong_portal.uploads import private_file_response

from . import services
from .eligibility import validate_rules
from .forms import DecisionForm
from .models import Application, ApplicationDocument, ApplicationEvent, HouseholdTag, Program, RequiredDocument


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class ProgramAdminForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = "__all__"  # noqa: DJ007 - the admin shows every field of a program; the form only adds a rule check

    def clean_eligibility_rules(self):
        rules = self.cleaned_data["eligibility_rules"]
        validate_rules(rules)
        return rules


@admin.register(Program)
class ProgramAdmin(WorkflowDeleteMixin, admin.ModelAdmin):
    form = ProgramAdminForm
    list_display = ("title_ko", "life_stage", "topic", "support_kind", "apply_method", "status", "opens_on",
                    "closes_on")
    list_filter = ("status", "life_stage", "topic", "apply_method", "is_facility")
    search_fields = ("title_ko", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("household_tags",)
    inlines = [RequiredDocumentInline]


@admin.register(HouseholdTag)
class HouseholdTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "order")
    search_fields = ("code", "name_ko", "name_en")


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may review the application reads its history (the inline has no role permission of its own).
        return request.user.has_perm("programs.view_application") or request.user.has_perm(
            "programs.change_application")


def _decision_action(kind: str, label, needs_text: bool):
    """An admin action that asks for the reason/message on an intermediate page when needed."""

    def action(modeladmin, request, queryset):
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if needs_text and not form.is_valid():
            return TemplateResponse(request, "admin/programs/application/decision.html", {
                **modeladmin.admin_site.each_context(request), "title": label, "form": form, "queryset": queryset,
                "action": request.POST.get("action"), "opts": modeladmin.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            })
        text = form.cleaned_data["text"] if needs_text else ""
        done, refused = 0, []
        for application in queryset.select_related("program"):
            try:
                if kind == "approve":
                    services.application_approve(application=application, actor=request.user)
                elif kind == "reject":
                    services.application_reject(application=application, actor=request.user, reason=text)
                elif kind == "request_info":
                    services.application_request_info(application=application, actor=request.user, message=text)
                elif kind == "start_review":
                    services.application_start_review(application=application, actor=request.user)
                access_log_record(action="change", request=request, obj=application, detail={"action": kind})
                done += 1
            except services.ApplicationError as exc:
                refused.append(f"{application}: {exc.messages[0]}")
        if done:
            modeladmin.message_user(request, ngettext("%(n)d건을 처리했습니다.", "%(n)d건을 처리했습니다.", done)
                                    % {"n": done}, messages.SUCCESS)
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)
        return None

    action.__name__ = f"action_{kind}"
    action.short_description = label
    action.allowed_permissions = ("change",)
    return action


@admin.register(Application)
class ApplicationAdmin(QuickActionCheckboxMixin, WorkflowDeleteMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "program", "applicant_name", "status", "submitted_at", "decided_at")
    list_filter = ("status", "program__life_stage", "program", ("submitted_at", admin.DateFieldListFilter))
    search_fields = ("reference", "applicant__name", "applicant__email")
    list_select_related = ("program", "applicant")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    # A review queue is read a screen at a time; 100 rows (Django's default) cost a clerk's changelist
    # twice the rendering for rows nobody scrolls to (the rush profiled it at 7% of a node's CPU).
    list_per_page = 50
    readonly_fields = ("reference", "program", "applicant", "status", "answers_display", "contact_phone", "consent_at",
                       "submitted_at", "decided_at", "decision_reason", "info_request", "documents_display")
    fields = readonly_fields
    inlines = [ApplicationEventInline]
    actions = [
        _decision_action("start_review", _("검토 시작"), needs_text=False),
        _decision_action("approve", pgettext_lazy("action", "승인"), needs_text=False),
        _decision_action("reject", _("반려 (사유 필수)"), needs_text=True),
        _decision_action("request_info", _("보완 요청 (내용 필수)"), needs_text=True),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).exclude(status=Application.Status.DRAFT)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("신청인"), ordering="applicant__name")
    def applicant_name(self, obj):
        return obj.applicant.name or obj.applicant.email

    @admin.display(description=_("신청 내용"))
    def answers_display(self, obj):
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", sorted(obj.answers.items())) or "-"

    @admin.display(description=_("제출 서류"))
    def documents_display(self, obj):
        # Which document each file answers (a supplement files its uploads under the request) and when.
        links = [
            (reverse("admin:programs_application_document", args=[obj.pk, doc.pk]), doc.original_name,
             doc.required_document.name if doc.required_document else _("기타 서류"),
             timezone.localtime(doc.uploaded_at).strftime("%Y-%m-%d %H:%M"))
            # Files held for a 보완 제출 not yet made are not part of the application.
            for doc in obj.documents.filter(held=False).select_related("required_document")
        ]
        return format_html_join("", '<div><a href="{}">{}</a> ({}, {})</div>', links) or "-"

    def get_urls(self):
        return [
            path("<int:application_id>/documents/<int:document_id>/",
                 self.admin_site.admin_view(self.document_view), name="programs_application_document"),
        ] + super().get_urls()

    def document_view(self, request, application_id, document_id):
        """Open an attachment: only for staff who may view this application; logged as a download."""
        if not self.has_view_permission(request):
            raise Http404
        application = get_object_or_404(self.get_queryset(request), pk=application_id)
        document = get_object_or_404(ApplicationDocument, pk=document_id, application=application, held=False)
        access_log_record(action="export", request=request, obj=document,
                          detail={"file": document.original_name})
        return private_file_response(document.file, download_name=document.original_name, request=request)




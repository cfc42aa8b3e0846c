"""Deletes in the admin that respect workflows and leave a trace.

- Django's stock bulk "delete selected" is switched off site-wide; ``delete_with_reason`` takes its
  place for every model: it asks why, checks protected and permission-lacking rows as the stock
  action does, writes one access-log row per deleted record (with the reason) and then deletes.
- ``WorkflowDeleteMixin`` on a ModelAdmin: for a model with a workflow
  (``gwangmyeong_portal.workflow.model_has_workflow``) only superusers may delete, and the
  change page's delete asks for a reason too. Everyone else uses the workflow's own step
  (withdraw, cancel), which notifies and cascades.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .access_log import access_log_record
from .models import AccessLogEntry
from .workflow import model_has_workflow


class DeleteReasonForm(forms.Form):
    delete_reason = forms.CharField(label=_("삭제 사유(접속기록에 남습니다)"), max_length=300,
                                    widget=forms.Textarea(attrs={"rows": 3}))


def _log_delete(request, obj, reason: str, *, bulk: bool) -> None:
    access_log_record(action=AccessLogEntry.Action.DELETE, request=request, obj=obj, reason=reason,
                      detail={"bulk": bulk, "record": str(obj)[:200]})


@admin.action(description=_("선택한 항목 삭제(사유 기록)"), permissions=["delete"])
def delete_with_reason(modeladmin, request, queryset):
    """The site-wide replacement of ``delete_selected``: a reason first, every row logged."""
    opts = modeladmin.model._meta
    deletable, model_count, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
    form = DeleteReasonForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid() and not perms_needed and not protected:
        if not modeladmin.has_delete_permission(request):
            raise PermissionDenied
        reason = form.cleaned_data["delete_reason"]
        rows = list(queryset)
        request._portal_delete_reason = reason  # for admins whose delete_queryset cascades with it
        for obj in rows:
            _log_delete(request, obj, reason, bulk=True)
        modeladmin.log_deletions(request, rows)
        modeladmin.delete_queryset(request, queryset)
        done = ngettext("%(count)d건을 삭제했습니다.", "%(count)d건을 삭제했습니다.", len(rows))
        modeladmin.message_user(request, done % {"count": len(rows)}, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request), "title": _("삭제 사유 입력"), "opts": opts, "form": form,
        "queryset": queryset, "deletable_objects": [deletable], "model_count": dict(model_count).items(),
        "perms_lacking": perms_needed, "protected": protected, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/delete_with_reason.html", context)


def install_workflow_deletes(site: admin.AdminSite) -> None:
    """Swap the stock bulk delete for ``delete_with_reason`` on ``site`` (idempotent)."""
    try:
        site.disable_action("delete_selected")
    except KeyError:
        pass  # already disabled
    site.add_action(delete_with_reason, "delete_with_reason")


class WorkflowDeleteMixin:
    """Put first in a ModelAdmin's bases. Rows with a workflow are deleted only by superusers, with a
    reason, logged; the change page's delete asks the reason as the bulk action does."""

    delete_confirmation_template = "admin/workflow_delete_confirmation.html"

    def has_delete_permission(self, request, obj=None):
        if model_has_workflow(self.model) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # on sites where install_workflow_deletes was not run
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and request.POST.get("post"):
            form = DeleteReasonForm(request.POST)
            if not form.is_valid():
                self.message_user(request, _("삭제 사유를 적어 주세요."), messages.ERROR)
                return redirect(request.get_full_path())
            request._portal_delete_reason = form.cleaned_data["delete_reason"]
        extra_context = {**(extra_context or {}), "delete_reason_form": DeleteReasonForm()}
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        _log_delete(request, obj, getattr(request, "_portal_delete_reason", ""), bulk=False)
        super().delete_model(request, obj)

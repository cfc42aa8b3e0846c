from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Clerks search the access log here (the monthly check PIPA asks for); nobody can edit it."""

    list_display = ("at", "actor_email", "ip_address", "action", "record_type", "record_id", "subject_label", "reason")
    list_filter = ("action", "record_type", ("at", admin.DateFieldListFilter))
    # ``detail`` holds the subjects of every row a list showed ([record id, label, user id]).
    search_fields = ("actor_email", "subject_label", "record_id", "reason", "detail")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False

    # Rows about the meetup registry name who is in it; membership of a dating registry is for
    # nobody but the operators to see, so clerks' access log leaves them out (their counts still
    # reach the monthly access review, which names accounts, not subjects).
    PRIVATE_RECORD_PREFIX = "matchmaking."

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(record_type__startswith=self.PRIVATE_RECORD_PREFIX)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("광명시 아이와 맘 편한 도시 관리")
admin.site.site_title = _("아이와 맘 편한 도시 관리")


# --- The admin as a daily tool (kept apart from the access-log admin above) -------------------

def _portal_admin_site_setup(site: admin.AdminSite) -> None:
    """Bulk deletes ask a reason and are logged (admin_workflow); the front page is a to-do list
    (admin_todo, templates/admin/portal_index.html)."""
    from .admin_workflow import install_workflow_deletes

    install_workflow_deletes(site)
    site.index_template = "admin/portal_index.html"


_portal_admin_site_setup(admin.site)

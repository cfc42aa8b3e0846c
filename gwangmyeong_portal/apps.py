from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Project-wide plumbing shared by every app (access log, base mixins)."""

    name = "gwangmyeong_portal"
    label = "portal"
    verbose_name = _("포털 공통")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.admin.options import ModelAdmin
        from django.http import Http404

        def object_not_found(model_admin, request, opts, object_id):
            # Django's admin answers a missing (or out-of-scope) id with a redirect and "doesn't
            # exist"; the portal's rule is one answer for both: 404, which tells nobody whether a
            # record of another agency exists. (Private hook; checked by tests/security.)
            raise Http404

        ModelAdmin._get_obj_does_not_exist_redirect = object_not_found

        from django.core import checks

        from . import page_cache
        from .access_log import check_personal_data_admins

        page_cache.connect_signals()
        checks.register(check_personal_data_admins, checks.Tags.admin)

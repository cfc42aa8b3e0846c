from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from django.apps import apps

    # post_migrate fires once per app that has models (Django skips the others); permission rows of
    # every app exist after the last of those. An app without models (api) at the end of
    # INSTALLED_APPS must not stop the roles from being synced.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from .roles import role_permissions_sync

    role_permissions_sync()


class AccountsConfig(AppConfig):
    """Users, roles, "my page", personal-data download and account deletion."""

    name = "accounts"
    verbose_name = _("계정")

    def ready(self):
        # Permission rows exist only after migrate; attach them to the role groups then.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts_sync_roles")
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_staff_role_at_login

        user_logged_in.connect(remember_staff_role_at_login, dispatch_uid="accounts_staff_role_at_login")
        _check_email_backend()


def _check_email_backend() -> None:
    """Settings found the backend's module (settings/env.py); here, with apps loaded, the class itself
    must import, so a typo in EMAIL_BACKEND stops start-up instead of failing every mail."""
    from django.utils.module_loading import import_string

    try:
        import_string(settings.EMAIL_BACKEND)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Environment variable EMAIL_BACKEND does not import: {exc}") from None

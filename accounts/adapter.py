from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.encoding import force_str

from . import services


def _page_language() -> str | None:
    """The language the sign-up page was shown in, if the site offers it (``en-us`` → ``en``)."""
    language = (translation.get_language() or "")[:2].lower()
    return language if language in dict(settings.LANGUAGES) else None


def _set_preferred_language(user) -> None:
    # Notifications go out in ``preferred_language``; someone who signs up on the English site
    # should not get Korean mail until they find the profile setting.
    language = _page_language()
    if language:
        user.preferred_language = language


class AccountAdapter(DefaultAccountAdapter):
    """Every new account becomes a citizen; staff roles are granted by clerks in the admin."""

    def save_user(self, request, user, form, commit=True):
        _set_preferred_language(user)
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.user_grant_citizen_role(user=user)
        return user

    def send_mail(self, template_prefix, email, context):
        """allauth's mails (verification, password reset, "you already have an account", security
        notices) go through the portal's outbox: rendered here in the page's language, written as a
        message row, sent by Celery after commit and retried — a mail relay that is down never turns
        sign-up or password reset into an error page, and the delivery log shows every attempt."""
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        rendered = self.render_mail(template_prefix, email, ctx)
        services.account_mail_queue(
            template_prefix=template_prefix, to_address=email, user=context.get("user"),
            subject=rendered.subject, body=rendered.body,
        )

    def format_email_subject(self, subject):
        # ACCOUNT_EMAIL_SUBJECT_PREFIX is a fixed string; the portal name is translated, so the
        # prefix follows the language the mail is rendered in.
        return f"[{settings.PORTAL_NAME}] {force_str(subject)}"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        """A provider without keys in the environment has no login page: 404, not a crash."""
        from allauth.socialaccount.models import SocialApp
        from django.http import Http404

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"{provider} sign-in is not configured") from None

    def save_user(self, request, sociallogin, form=None):
        _set_preferred_language(sociallogin.user)
        user = super().save_user(request, sociallogin, form=form)
        services.user_grant_citizen_role(user=user)
        return user

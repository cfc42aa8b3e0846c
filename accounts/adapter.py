from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from . import services


class AccountAdapter(DefaultAccountAdapter):
    """Every new account becomes a citizen; staff roles are granted by clerks in the admin."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.user_grant_citizen_role(user=user)
        return user


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
        user = super().save_user(request, sociallogin, form=form)
        services.user_grant_citizen_role(user=user)
        return user

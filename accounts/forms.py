import uuid

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "preferred_language"]
        help_texts = {
            "phone": _("문자 알림을 받을 번호입니다. 선택 항목이며 알림 외에는 쓰지 않습니다."),
            "preferred_language": _("이메일과 문자 알림을 받을 언어입니다."),
        }


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("위 내용을 확인했으며 계정을 삭제합니다."),
        error_messages={"required": _("삭제하려면 확인란을 선택하세요.")},
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, doing the same work for an address that already has an account.

    For a new address allauth hashes the password, saves the account and its address and queues the
    verification mail; for a taken one it only queued "someone tried to sign up with your address",
    so the answer came ten times faster and told which addresses have accounts. Here the taken path
    also builds a whole account — password hashed, user, role and address rows written — inside a
    transaction it rolls back, then queues its one mail through the outbox like the other path.
    """

    def try_save(self, request):
        if self.account_already_exists:
            self._same_work_as_a_new_account(request)
        return super().try_save(request)

    def _same_work_as_a_new_account(self, request) -> None:
        """What ``save`` does for a new address — through the same adapter and allauth helpers, so the
        two stay alike when either changes — under a placeholder address, in a transaction rolled back."""
        from allauth.account.adapter import get_adapter
        from allauth.account.models import EmailAddress
        from allauth.account.utils import setup_user_email

        from .services import user_grant_citizen_role

        adapter = get_adapter()
        with transaction.atomic():
            user = adapter.save_user(request, adapter.new_user(request), self, commit=False)  # hashes
            user.email = f"signup-timing-{uuid.uuid4().hex}@invalid.invalid"  # never committed
            user.save()
            user_grant_citizen_role(user=user)
            setup_user_email(request, user, [EmailAddress(email=user.email)])
            transaction.set_rollback(True)

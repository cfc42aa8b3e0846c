from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
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

    For a new address allauth hashes the password, saves the account and queues the verification
    mail; for a taken one it only queued "someone tried to sign up with your address", so the answer
    came ten times faster and told which addresses have accounts. Here the taken path hashes the
    password too (and throws the hash away); both paths queue one mail through the outbox.
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

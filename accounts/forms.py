from django import forms
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

"""Forms of the meetup registry: they validate input; services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Agency

from .models import Profile


class ConsentForm(forms.Form):
    required_consent = forms.BooleanField(
        label=_("위 필수 항목의 수집·이용에 동의합니다."), required=True,
        error_messages={"required": _("필수 항목에 동의하셔야 만남 행사에 참여할 수 있습니다.")},
    )
    optional_consent = forms.BooleanField(label=_("선택 항목(자기소개, 관심사)의 수집·이용에 동의합니다."),
                                          required=False)


class VerificationRequestForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("소속 기관"), queryset=Agency.objects.active(),
                                    empty_label=_("기관을 고르세요"))


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("활동명"), max_length=30,
                                   help_text=_("다른 참가자에게 보이는 이름입니다. 실명이 아니어도 됩니다."))
    gender = forms.ChoiceField(label=_("성별"), choices=Profile.Gender.choices,
                               help_text=_("성별마다 정해진 자리를 공정하게 추첨하는 데 씁니다."))
    birth_year = forms.IntegerField(label=_("출생 연도"), min_value=1900, max_value=2100,
                                    help_text=_("참여 나이를 확인하는 데 씁니다. 다른 참가자에게는 보이지 않습니다."))
    show_institution = forms.BooleanField(label=_("다른 참가자에게 소속 기관을 보여 줍니다."), required=False)
    contact = forms.CharField(
        label=_("연락처(전화번호 또는 메신저 아이디)"), max_length=100, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("암호화해 보관하며, 서로 선택한 분에게만 보여 줍니다."),
    )
    intro = forms.CharField(label=_("자기소개(선택)"), max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    interests = forms.CharField(label=_("관심사(선택)"), max_length=200, required=False)
    declared_unmarried = forms.BooleanField(
        label=_("저는 현재 미혼입니다."), required=False,
        help_text=_("사실과 다르게 확인하면 프로필이 삭제됩니다."),
    )

    def __init__(self, *args, editing: bool = False, optional_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["gender"]
            del self.fields["declared_unmarried"]
            self.fields["contact"].help_text = _(
                "비워 두면 저장된 연락처를 그대로 둡니다. 서로 선택한 분에게만 보여 줍니다.")
        else:
            self.fields["contact"].required = True
        if not optional_allowed:
            del self.fields["intro"]
            del self.fields["interests"]


class PickForm(forms.Form):
    picked = forms.MultipleChoiceField(label=_("마음에 드는 분"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["picked"].choices = [
            (str(p.pk), p.display_name + (f" ({p.institution.name})" if p.show_institution else ""))
            for p in attendees
        ]


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(label=_("프로필과 연락처, 선택 기록을 지금 삭제합니다."), required=True)

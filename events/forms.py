"""Forms of the events app: registration (party size and the event's own questions) and feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gwangmyeong_portal.i18n_fields import localized

from .models import Registration


class RegistrationForm(forms.Form):
    """Party size (when more than one may come), one field per question the event asks, and the
    required consent to the collection notice shown above the form."""

    consent = forms.BooleanField(
        label=_("위 개인정보 수집·이용에 동의합니다."),
        error_messages={"required": _("신청하려면 개인정보 수집·이용에 동의해 주세요.")},
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if event.party_size_max > 1:
            # Starts at one: someone coming alone must not book the maximum by leaving it as it is.
            self.fields["party_size"] = forms.TypedChoiceField(
                label=_("참석 인원"), coerce=int, initial=1,
                choices=[(n, ngettext("%(n)s명", "%(n)s명", n) % {"n": n})
                         for n in range(1, event.party_size_max + 1)],
            )
        for question in event.questions or []:
            key = str(question.get("key", ""))
            if not key:
                continue
            label = localized(_Question(question), "label") or key
            self.fields[f"q_{key}"] = forms.CharField(
                label=label, required=bool(question.get("required")), max_length=500,
            )
        if event.shares_with_organiser:
            # A partner agency runs it: providing the data to that agency is a consent of its own.
            self.fields["provision_consent"] = forms.BooleanField(
                label=_("위 기관에 개인정보를 제공하는 데 동의합니다."),
                error_messages={"required": _("신청하려면 주관 기관에 개인정보를 제공하는 데 동의해 주세요.")},
            )
        # Consents last, after the reader has seen what is collected.
        consents = ["consent", "provision_consent"]
        self.order_fields([name for name in self.fields if name not in consents] + consents)

    def cleaned_party_size(self) -> int:
        return int(self.cleaned_data.get("party_size") or 1)

    def cleaned_answers(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")}


class _Question:
    def __init__(self, data: dict):
        self.label_ko = data.get("label_ko", "")
        self.label_en = data.get("label_en", "")


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("만족도"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 매우 만족")), (4, _("4 만족")), (3, _("3 보통")), (2, _("2 불만족")),
                 (1, _("1 매우 불만족"))],
    )
    comment = forms.CharField(label=_("의견(선택)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))


# --- The organiser page ---------------------------------------------------------------------------

class _ReasonForm(forms.Form):
    reason = forms.CharField(label=_("사유 (접속기록에 남습니다)"), max_length=300)


class OrganiserAddForm(_ReasonForm):
    """Register someone by hand (a phone call, the desk): a person who has an account."""

    email = forms.EmailField(label=_("신청자 이메일 (가입한 사람)"))
    party_size = forms.IntegerField(label=_("인원"), min_value=1, initial=1)
    waitlist = forms.BooleanField(label=_("대기자로 추가"), required=False)
    field_order = ["email", "party_size", "waitlist", "reason"]


class OrganiserMoveForm(_ReasonForm):
    registration = forms.ModelChoiceField(label=_("옮길 신청"), queryset=None)
    to_event = forms.ModelChoiceField(label=_("옮길 행사"), queryset=None)
    field_order = ["registration", "to_event", "reason"]

    def __init__(self, *args, registrations, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations
        self.fields["registration"].label_from_instance = _registration_label
        self.fields["to_event"].queryset = events


class OrganiserResizeForm(_ReasonForm):
    registration = forms.ModelChoiceField(label=_("신청"), queryset=None)
    party_size = forms.IntegerField(label=_("바꿀 인원"), min_value=1)
    field_order = ["registration", "party_size", "reason"]

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations
        self.fields["registration"].label_from_instance = _registration_label


def _registration_label(registration) -> str:
    name = registration.user.name or registration.user.email
    return f"{name} ({registration.get_status_display()}, {registration.party_size})"


class MessageForm(forms.Form):
    """An organiser's message to registrants (the admin action and the organiser page)."""

    statuses = forms.MultipleChoiceField(
        label=_("받는 사람"), widget=forms.CheckboxSelectMultiple,
        choices=[(Registration.Status.CONFIRMED, _("확정")), (Registration.Status.OFFERED, _("빈자리 제안")),
                 (Registration.Status.WAITLISTED, _("대기")), (Registration.Status.ATTENDED, _("참석"))],
    )
    text = forms.CharField(label=_("보낼 내용"), widget=forms.Textarea(attrs={"rows": 5}), max_length=1000)
    send_at = forms.DateTimeField(label=_("예약 발송 시각"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text=_("비워 두면 바로 보냅니다."))
    again = forms.BooleanField(label=_("다시 보내기"), required=False,
                               help_text=_("같은 내용을 이미 보냈어도 한 번 더 보냅니다."))

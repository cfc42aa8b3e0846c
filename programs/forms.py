"""Forms of the programs app. They validate; services save."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal import dates
from gwangmyeong_portal.uploads import UploadValidator

from .models import Program

PHONE_HELP = _("결과를 문자로 받으려면 적어 주세요. 신청 처리 안내에만 씁니다.")


def _label(question: dict) -> str:
    lang = (get_language() or "ko").split("-")[0]
    return (question.get(f"label_{lang}") if lang != "ko" else None) or question["label_ko"]


class ApplicationForm(forms.Form):
    """Built from the program's own questions and required documents.

    Saving a draft needs nothing; submitting needs consent (checked here) and every required
    document (checked by ``application_submit``, which knows what is already uploaded).
    """

    contact_phone = forms.RegexField(
        label=_("휴대전화 번호"), regex=r"^0\d{1,2}-?\d{3,4}-?\d{4}$", required=False, help_text=PHONE_HELP,
        error_messages={"invalid": _("010-1234-5678 형식으로 적어 주세요.")},
    )
    phone_consent = forms.BooleanField(
        label=_("선택 항목인 휴대전화 번호의 수집·이용에 동의합니다(문자 안내용)."), required=False,
    )
    consent = forms.BooleanField(
        label=_("위 개인정보 수집·이용에 동의합니다."), required=False,
    )

    def __init__(self, *args, program: Program, uploaded_document_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        self.question_keys = []
        for question in program.form_questions:
            key = f"q_{question['key']}"
            self.question_keys.append((key, question["key"]))
            self.fields[key] = self._field_for(question)
        self.document_fields = []
        for document in program.required_documents.all():
            key = f"doc_{document.pk}"
            already = document.pk in uploaded_document_ids
            help_text = _("PDF, JPG, PNG 파일. 파일 내용으로 형식을 확인합니다.")
            if already:
                help_text = _("이미 올렸습니다. 바꾸려면 새 파일을 고르세요.")
            self.fields[key] = forms.FileField(
                label=document.name, required=False, validators=[UploadValidator()], help_text=help_text,
            )
            self.fields[key].is_required_document = document.is_required
            self.document_fields.append((key, document))
        # Consent last, after the reader has seen what is collected.
        self.order_fields([*(k for k, _q in self.question_keys), "contact_phone", "phone_consent",
                           *(k for k, _d in self.document_fields), "consent"])

    @staticmethod
    def _field_for(question: dict) -> forms.Field:
        kind = question.get("type", "text")
        common = {"label": _label(question), "required": False}
        if kind == "number":
            return forms.IntegerField(min_value=0, max_value=10**9, **common)
        if kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if kind == "yesno":
            return forms.ChoiceField(choices=[("", "—"), ("yes", _("예")), ("no", _("아니오"))], **common)
        return forms.CharField(max_length=500, **common)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_phone") and not cleaned.get("phone_consent"):
            # An optional item is kept only with its own consent; without it, leave the number out.
            self.add_error("phone_consent", _("휴대전화 번호를 남기려면 선택 항목 수집·이용에 동의해 주세요. "
                                              "번호를 지우면 동의 없이 신청할 수 있습니다."))
        submitting = "submit" in self.data
        if submitting:
            for key, question in zip((k for k, _q in self.question_keys), self.program.form_questions, strict=True):
                if question.get("required") and cleaned.get(key) in (None, ""):
                    self.add_error(key, _("신청하려면 이 항목을 적어 주세요."))
            if not cleaned.get("consent"):
                self.add_error("consent", _("신청하려면 개인정보 수집·이용에 동의해 주세요."))
        return cleaned

    def answers(self) -> dict:
        out = {}
        for key, question_key in self.question_keys:
            value = self.cleaned_data.get(key)
            if value not in (None, ""):
                out[question_key] = value.isoformat() if hasattr(value, "isoformat") else value
        return out

    def files_by_document(self) -> dict:
        return {document: self.cleaned_data.get(key) for key, document in self.document_fields
                if self.cleaned_data.get(key)}


class ProvideInfoForm(forms.Form):
    note = forms.CharField(label=_("보완 내용"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                           required=False)
    file = forms.FileField(label=_("추가 서류"), required=False, validators=[UploadValidator()],
                           help_text=_("PDF, JPG, PNG 파일"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("note", "").strip() and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError(_("보완 내용을 적거나 파일을 올려 주세요."))
        return cleaned


class TimelineForm(forms.Form):
    # Program windows are counted in days from these dates: only the supported years.
    due_date = dates.DateField(label=_("출산 예정일"), required=False)
    birth_date = dates.DateField(label=_("자녀 출생일"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("due_date") and not cleaned.get("birth_date") and not self.errors:
            raise forms.ValidationError(_("출산 예정일이나 자녀 출생일 중 하나를 적어 주세요."))
        return cleaned


class DecisionForm(forms.Form):
    """The reason or message a clerk must give for a reject or a request for information."""

    text = forms.CharField(label=_("사유·요청 내용"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

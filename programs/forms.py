"""Forms of the programs app. They validate; services save."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal import dates
from gwangmyeong_portal.uploads import UploadValidator

from .models import Program

PHONE_HELP = _("결과를 문자로 받으려면 적어 주세요. 신청 처리 안내에만 씁니다.")
UPLOAD_HELP = _("PDF, JPG, PNG 파일. 파일 내용으로 형식을 확인합니다.")


def document_label(document):
    """The document's name with a visible 필수/선택 mark (the field itself is optional: a draft can
    be saved without it; ``application_submit`` insists on the required ones)."""
    mark = pgettext_lazy("document", "필수") if document.is_required else pgettext_lazy("document", "선택")
    css = "doc-mark doc-mark--required" if document.is_required else "doc-mark"
    return format_html('{} <strong class="{}">({})</strong>', document.name, css, mark)


class ErrorSummaryMixin:
    """``error_summary``: every error of the form as (anchor, label, message), in field order, for
    the summary at the top of the page that links to each field."""

    def error_summary(self) -> list[tuple[str, str, str]]:
        rows = [("", "", str(error)) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            if name in self.errors:
                bound = self[name]
                label = getattr(field, "plain_label", None) or field.label or ""
                rows.extend((bound.auto_id, str(label), str(error)) for error in self.errors[name])
        return rows


def _label(question: dict) -> str:
    lang = (get_language() or "ko").split("-")[0]
    return (question.get(f"label_{lang}") if lang != "ko" else None) or question["label_ko"]


class ApplicationForm(ErrorSummaryMixin, forms.Form):
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
            self.fields[key] = forms.FileField(
                label=document_label(document), required=False, validators=[UploadValidator()], help_text=UPLOAD_HELP,
            )
            self.fields[key].is_required_document = document.is_required
            self.fields[key].plain_label = document.name
            self.document_fields.append((key, document))
        self.mark_uploaded(uploaded_document_ids)
        # Consent last, after the reader has seen what is collected.
        self.order_fields([*(k for k, _q in self.question_keys), "contact_phone", "phone_consent",
                           *(k for k, _d in self.document_fields), "consent"])

    def mark_uploaded(self, uploaded_document_ids) -> None:
        """Say next to each document already on file that it need not be picked again."""
        for key, document in self.document_fields:
            if document.pk in uploaded_document_ids:
                text = _("이미 올렸습니다. 바꾸려면 새 파일을 고르세요.")
                # A bound field copies its help text when first made (during validation): set both.
                self.fields[key].help_text = self[key].help_text = text

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
        """The uploads that passed their checks, by document. After a failed ``is_valid`` this is
        still every accepted file (a refused field is not in ``cleaned_data``)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {document: cleaned.get(key) for key, document in self.document_fields
                if key not in self.errors and cleaned.get(key)}


class ProvideInfoForm(ErrorSummaryMixin, forms.Form):
    """The answer to a request for more information: a note, and a file per document it answers —
    one field for each of the program's documents and one for anything else the clerk asked for."""

    note = forms.CharField(label=_("보완 내용"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                           required=False)

    def __init__(self, *args, program: Program, held=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.document_fields = []
        for document in program.required_documents.all():
            key = f"doc_{document.pk}"
            self.fields[key] = forms.FileField(
                label=_("%(name)s — 새로 내는 파일") % {"name": document.name}, required=False,
                validators=[UploadValidator()], help_text=UPLOAD_HELP,
            )
            self.document_fields.append((key, document))
        self.fields["other"] = forms.FileField(
            label=_("그 밖에 요청받은 서류"), required=False, validators=[UploadValidator()],
            help_text=_("위 목록에 없는 서류를 요청받았다면 여기에 올리고, 무슨 서류인지 보완 내용에 적어 주세요."),
        )
        self.document_fields.append(("other", None))
        self.mark_held(held)

    def mark_held(self, held) -> None:
        """Say next to each field whose file is held from an earlier try (``ApplicationDocument.held``)
        that it goes with the supplement and need not be picked again."""
        self.held = list(held)
        by_document = {doc.required_document_id: doc for doc in self.held}
        for key, document in self.document_fields:
            doc = by_document.get(document.pk if document is not None else None)
            if doc is not None:
                text = _("보관 중인 파일 ‘%(name)s’을(를) 보완 내용과 함께 제출합니다. "
                         "바꾸려면 새 파일을 고르세요.") % {"name": doc.original_name}
                # A bound field copies its help text when first made (during validation): set both.
                self.fields[key].help_text = self[key].help_text = text

    def clean(self):
        cleaned = super().clean()
        if (not cleaned.get("note", "").strip() and not self.files_by_document() and not self.held
                and not self.errors):
            raise forms.ValidationError(_("보완 내용을 적거나 파일을 올려 주세요."))
        return cleaned

    def files_by_document(self) -> dict:
        """Each accepted upload under the required document it answers (None: another document)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {document: cleaned[key] for key, document in self.document_fields if cleaned.get(key)}


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

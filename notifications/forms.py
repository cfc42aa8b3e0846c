from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import PreferenceRow


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel (e-mail, SMS). In-app is the inbox and always on; a
    mandatory kind's e-mail box is disabled, so a crafted POST cannot turn it off either."""

    def __init__(self, *args, rows: list[PreferenceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[self.field_name(row.kind.key, "email")] = forms.BooleanField(
                label=_("%(kind)s — 이메일") % {"kind": row.kind.label}, required=False, initial=row.email,
                disabled=row.kind.mandatory,
                help_text=_("꼭 알려드려야 하는 안내라 끌 수 없습니다.") if row.kind.mandatory else "",
            )
            self.fields[self.field_name(row.kind.key, "sms")] = forms.BooleanField(
                label=_("%(kind)s — 문자") % {"kind": row.kind.label}, required=False, initial=row.sms,
                help_text="" if row.kind.urgent else _("밤 9시부터 아침 8시 사이의 문자는 아침 8시에 보냅니다."),
            )
            if row.alimtalk is not None:
                self.fields[self.field_name(row.kind.key, "alimtalk")] = forms.BooleanField(
                    label=_("%(kind)s — 카카오 알림톡") % {"kind": row.kind.label}, required=False,
                    initial=row.alimtalk,
                    help_text=_("알림톡을 받지 못하면 같은 내용을 문자로 보냅니다. "
                                "알림톡을 받으면 문자는 따로 보내지 않습니다."),
                )

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            if not row.kind.urgent:
                continue
            names = [self.field_name(row.kind.key, channel) for channel in ("email", "sms", "alimtalk")]
            present = [name for name in names if name in self.fields]
            if present and not any(cleaned.get(name) for name in present):
                self.add_error(present[-1], _("긴급 안내는 이메일, 문자, 알림톡 중 하나 이상으로 받아야 합니다."))
        return cleaned

    @staticmethod
    def field_name(kind_key: str, channel: str) -> str:
        return f"{kind_key}__{channel}"

    def choices(self) -> dict[tuple[str, str], bool]:
        result = {}
        for row in self.rows:
            for channel in ("email", "sms", "alimtalk"):
                name = self.field_name(row.kind.key, channel)
                if (row.kind.mandatory and channel == "email") or name not in self.fields:
                    continue
                result[(row.kind.key, channel)] = self.cleaned_data[self.field_name(row.kind.key, channel)]
        return result

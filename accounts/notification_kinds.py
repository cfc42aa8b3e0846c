"""Kinds of the account mails allauth writes (sign-up, sign-in, password): accounts.adapter renders
allauth's text in the page's language and hands it to the outbox, so these mails are written as a row
first, sent after commit, retried and logged like every other message (see ``Kind.account_mail``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register


def _account_mail(key: str, label) -> Kind:
    return register(Kind(key=key, label=label, required_context=("subject", "body"), mandatory=True,
                         default_channels=("email",), account_mail=True))


EMAIL_CONFIRMATION = _account_mail("accounts.email_confirmation", _("이메일 주소 확인 메일"))
PASSWORD_RESET = _account_mail("accounts.password_reset", _("비밀번호 재설정 메일"))
# Someone tried to sign up with an address that has an account: its owner is told (and nobody else
# learns from the sign-up page that the address is taken).
ACCOUNT_ALREADY_EXISTS = _account_mail("accounts.account_already_exists", _("이미 가입된 주소로 가입 시도 안내"))
# Everything else allauth mails: sign-in codes, password or address changed, two-factor turned on or off.
ACCOUNT_NOTICE = _account_mail("accounts.account_notice", _("계정 보안 안내 메일"))

# allauth's template prefix → kind; a prefix not listed is an ACCOUNT_NOTICE.
KIND_BY_TEMPLATE = {
    "account/email/email_confirmation_signup": EMAIL_CONFIRMATION.key,
    "account/email/email_confirmation": EMAIL_CONFIRMATION.key,
    "account/email/password_reset_key": PASSWORD_RESET.key,
    "account/email/password_reset_code": PASSWORD_RESET.key,
    "account/email/account_already_exists": ACCOUNT_ALREADY_EXISTS.key,
}

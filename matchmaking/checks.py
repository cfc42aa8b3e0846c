"""`manage.py check --deploy` refuses a deployment that would encrypt contacts with the public dev key."""

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_KEY = "ZGV2LW9ubHktbWF0Y2htYWtpbmctY29udGFjdC1rZXk="


@register(Tags.security, deploy=True)
def contact_key_check(app_configs, **kwargs):
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in (settings.MATCHMAKING_CONTACT_KEY or "").split(",") if k.strip()]
    if not keys or DEV_KEY in keys:
        return [Error("MATCHMAKING_CONTACT_KEY is not set (the public dev key is in use).",
                      hint="Generate one: python -c 'from cryptography.fernet import Fernet; "
                           "print(Fernet.generate_key().decode())'", id="matchmaking.E001")]
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError:
            return [Error("MATCHMAKING_CONTACT_KEY holds a value that is not a Fernet key.", id="matchmaking.E002")]
    return []

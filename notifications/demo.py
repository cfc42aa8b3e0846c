"""Demo inbox for `make run`: two welcome messages for the demo citizen. Idempotent."""

from django.contrib.auth import get_user_model

from .services import notify

WELCOMES = [
    ("demo-welcome-1", "알림을 받을 방법(이메일, 문자)을 고를 수 있어요.", "/me/notifications/settings/"),
    ("demo-welcome-2", "생애주기별 혜택에서 우리 가족에게 맞는 지원을 찾아보세요.", "/#stages"),
]


def seed() -> None:
    # The user model by setting: notifications sits below accounts and imports none of it.
    citizen = get_user_model().objects.filter(email="citizen@example.com").first()
    if citizen is None:
        return
    for key, tip, link in WELCOMES:
        notify(recipient=citizen, kind="notifications.welcome", context={"name": citizen.name, "tip": tip},
               channels=["inapp"], idempotency_key=key, link=link)

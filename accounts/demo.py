"""Demo accounts for `make run`. Passwords are for a laptop only and printed on start."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from .models import User
from .roles import AGENCY_STAFF, CITIZEN, CITY_CLERK

DEMO_PASSWORD = "gwangmyeong-demo-2027"

DEMO_USERS = [
    # email, name, role, is_staff, is_superuser
    ("citizen@example.com", "김시민", CITIZEN, False, False),
    ("citizen2@example.com", "이주민", CITIZEN, False, False),
    ("police.staff@example.com", "박경찰 (광명경찰서)", AGENCY_STAFF, True, False),
    ("post.staff@example.com", "최우정 (광명우체국)", AGENCY_STAFF, True, False),
    ("clerk@example.com", "정주무관 (여성가족과)", CITY_CLERK, True, False),
    ("admin@example.com", "관리자", None, True, True),
]


def seed() -> list[str]:
    lines = []
    for email, name, role, is_staff, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "is_staff": is_staff, "is_superuser": is_superuser}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        groups = [CITIZEN] + ([role] if role and role != CITIZEN else [])
        user.groups.add(*Group.objects.filter(name__in=groups))
        lines.append(f"  {email:<28} {DEMO_PASSWORD}   {role or 'superuser'}")
    return lines

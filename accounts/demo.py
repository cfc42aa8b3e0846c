"""Demo accounts for `make run`. Passwords are for a laptop only and printed on start.

Besides the accounts you sign in with, a crowd of demo citizens (``CROWD``, no usable password)
fills the clerk's dashboard with applications and event registrations, so its tables hold figures
above the small-count threshold.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from .models import User
from .roles import AGENCY_STAFF, CITIZEN, CITY_CLERK, role_permissions_sync

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

CROWD_SIZE = 120
_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ["서연", "민준", "지우", "하은", "도윤", "수아", "예준", "지아", "시우", "채원", "주원", "다은",
          "하준", "윤서", "지호", "소율", "은우", "서아"]


def crowd_email(n: int) -> str:
    return f"demo.citizen{n:02d}@example.com"


# The crowd: stable e-mails and names, so every run finds the same people.
CROWD = [(crowd_email(n), _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)]) for n in range(1, CROWD_SIZE + 1)]


def crowd_users() -> list[User]:
    """The crowd's accounts in a stable order (empty until ``seed`` ran)."""
    by_email = {u.email: u for u in User.objects.filter(email__in=[email for email, _name in CROWD])}
    return [by_email[email] for email, _name in CROWD if email in by_email]


def _seed_crowd() -> None:
    citizens = Group.objects.filter(name=CITIZEN).first()
    existing = set(User.objects.filter(email__in=[e for e, _n in CROWD]).values_list("email", flat=True))
    for email, name in CROWD:
        if email in existing:
            continue
        user = User(email=email, name=name)
        user.set_unusable_password()  # nobody signs in as the crowd; no slow password hashing either
        user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if citizens is not None:
            user.groups.add(citizens)


def seed() -> list[str]:
    # The role groups and their permissions: migrate's post_migrate hook does not always get to
    # them (in dev settings the last installed app sends no post_migrate), and the demo's clerk
    # must be able to run a draw.
    role_permissions_sync()
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
    _seed_crowd()
    return lines

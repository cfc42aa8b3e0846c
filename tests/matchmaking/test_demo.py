import pytest
from django.utils import timezone

from matchmaking.models import Match, MeetupSession, Profile

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_shows_a_match(client):
    from accounts import demo as accounts_demo
    from accounts.roles import role_permissions_sync
    from matchmaking import demo
    from partners import demo as partners_demo

    accounts_demo.seed()
    partners_demo.seed()
    role_permissions_sync()
    demo.seed()
    demo.seed()
    # 24 staff profiles; two held meetups (six matches each, enough to show above the suppression
    # threshold) and one coming up.
    assert Profile.objects.count() == 24 and MeetupSession.objects.count() == 3 and Match.objects.count() == 12
    assert MeetupSession.objects.filter(drawn_at__isnull=True, event__starts_at__gt=timezone.now()).count() == 1
    haneul = Profile.objects.get(user__email="haneul@police.example.go.kr")
    client.force_login(haneul.user)
    page = client.get("/matchmaking/matches/").content.decode()
    assert "바다" in page and "데모-메신저-bada" in page
    assert Profile.objects.get(user__email="saebyeok@example.com").verification_method == "staff_confirmed"

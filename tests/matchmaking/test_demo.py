import pytest

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
    assert Profile.objects.count() == 4 and MeetupSession.objects.count() == 2 and Match.objects.count() == 1
    haneul = Profile.objects.get(user__email="haneul@police.example.go.kr")
    client.force_login(haneul.user)
    page = client.get("/matchmaking/matches/").content.decode()
    assert "바다" in page and "데모-메신저-bada" in page
    assert Profile.objects.get(user__email="saebyeok@example.com").verification_method == "staff_confirmed"

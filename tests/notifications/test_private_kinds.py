"""Messages of private kinds (the singles-meetup registry's) are seen by their recipient only: the
staff delivery log never lists them, so nobody can read off who applied, was drawn or matched."""

import pytest
from django.urls import reverse

from matchmaking import notification_kinds as matchmaking_kinds
from notifications.kinds import all_kinds
from notifications.models import Message
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_every_meetup_registry_kind_is_private():
    keys = [kind.key for kind in all_kinds() if kind.key.startswith("matchmaking.")]
    assert keys, matchmaking_kinds.__name__
    assert all(kind.private for kind in all_kinds() if kind.key.startswith("matchmaking.")), keys


@pytest.mark.parametrize("staff", ["clerk", "admin_user"])
def test_the_delivery_log_leaves_out_private_messages(client, request, citizen, other_citizen, staff):
    match = notify(recipient=citizen, kind=matchmaking_kinds.MATCH_MADE.key, context={"title": "6월 만남의 날"},
                   idempotency_key="test-match")[0]
    public = notify(recipient=other_citizen, kind="notifications.service_notice", context={"text": "점검 안내"},
                    idempotency_key="test-public")[0]
    viewer = request.getfixturevalue(staff)
    client.force_login(viewer)

    page = client.get(reverse("admin:notifications_message_changelist") + "?kind=matchmaking.match_made")
    assert page.status_code == 200
    assert citizen.email not in page.content.decode()
    assert client.get(reverse("admin:notifications_message_change", args=[match.pk])).status_code == 404
    assert not Message.objects.visible_to(viewer).filter(kind__startswith="matchmaking.").exists()
    # The rest of the log is still theirs to see.
    assert Message.objects.visible_to(viewer).filter(pk=public.pk).exists()
    assert client.get(reverse("admin:notifications_message_change", args=[public.pk])).status_code == 200


def test_the_recipient_still_has_their_private_message(client, citizen):
    message = notify(recipient=citizen, kind=matchmaking_kinds.MATCH_MADE.key, context={"title": "6월 만남의 날"},
                     idempotency_key="test-match-own")[0]
    assert Message.objects.visible_to(citizen).filter(pk=message.pk).exists()

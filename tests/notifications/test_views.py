"""Inbox, header badge, preferences page, admin delivery log and /healthz — for every role."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Message, NotificationPreference

pytestmark = pytest.mark.django_db

S = Message.Status


def inbox_message(user, n=1, link="/programs/7/", **fields):
    defaults = {"status": S.SENT, "sent_at": timezone.now(), "subject": f"제목 {n}", "body": f"본문 {n}"}
    return Message.objects.create(recipient=user, kind="notifications.test", channel="inapp", link=link,
                                  idempotency_key=f"{user.pk}-{n}:inapp", context={"name": "x"},
                                  **{**defaults, **fields})


def test_inbox_needs_a_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_inbox_shows_only_my_delivered_in_app_messages_unread_first(client, citizen, other_citizen):
    read = inbox_message(citizen, 1, read_at=timezone.now())
    unread = inbox_message(citizen, 2)
    inbox_message(other_citizen, 3)
    Message.objects.create(recipient=citizen, kind="notifications.test", channel="email", status=S.SENT,
                           sent_at=timezone.now(), idempotency_key="e:email", subject="이메일 제목")
    inbox_message(citizen, 4, status=S.PENDING, sent_at=None)
    client.force_login(citizen)
    response = client.get(reverse("notifications:inbox"))
    assert [m.pk for m in response.context["page"].object_list] == [unread.pk, read.pk]
    html = response.content.decode()
    assert "제목 2" in html and "제목 3" not in html and "이메일 제목" not in html


def test_inbox_query_count_does_not_grow_with_messages(client, citizen, django_assert_max_num_queries):
    client.force_login(citizen)
    for n in range(2):
        inbox_message(citizen, n)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications:inbox"))
    for n in range(2, 15):
        inbox_message(citizen, n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notifications:inbox"))
    assert len(response.context["page"].object_list) == 15


@pytest.mark.parametrize(("who", "expected"), [("owner", 302), ("other", 404), ("clerk", 404), ("anonymous", 302)])
def test_opening_a_message_for_every_role(client, citizen, other_citizen, clerk, who, expected):
    message = inbox_message(citizen)
    user = {"owner": citizen, "other": other_citizen, "clerk": clerk, "anonymous": None}[who]
    if user:
        client.force_login(user)
    response = client.get(reverse("notifications:open", args=[message.pk]))
    assert response.status_code == expected
    message.refresh_from_db()
    if who == "owner":
        assert response["Location"] == "/programs/7/" and message.read_at is not None
    else:
        assert message.read_at is None
        if who == "anonymous":
            assert reverse("account_login") in response["Location"]


def test_an_offsite_link_is_not_followed(client, citizen):
    message = inbox_message(citizen, link="https://evil.example.com/")
    client.force_login(citizen)
    response = client.get(reverse("notifications:open", args=[message.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_read_and_mark_all_read(client, citizen, other_citizen):
    first, second = inbox_message(citizen, 1), inbox_message(citizen, 2)
    others = inbox_message(other_citizen, 3)
    client.force_login(citizen)
    assert client.get(reverse("notifications:mark_read", args=[first.pk])).status_code == 405
    assert client.post(reverse("notifications:mark_read", args=[others.pk])).status_code == 404
    client.post(reverse("notifications:mark_read", args=[first.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at and not second.read_at
    client.post(reverse("notifications:mark_all_read"))
    assert not Message.objects.filter(recipient=citizen, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_header_badge_counts_unread_messages_with_one_query(citizen, django_assert_num_queries):
    for n in range(3):
        inbox_message(citizen, n)
    inbox_message(citizen, 9, read_at=timezone.now())
    request = RequestFactory().get("/")
    request.user = citizen
    with django_assert_num_queries(1):
        html = render_to_string("notifications/_header_badge.html", request=request)
    assert reverse("notifications:inbox") in html
    assert '<span class="krds-badge bg-danger small" aria-hidden="true">3</span>' in html
    assert "읽지 않은 알림 3건" in html


def test_settings_page_turns_channels_off_but_never_a_mandatory_email(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("notifications:settings"))
    html = page.content.decode()
    mandatory = 'name="notifications.service_notice__email"'
    assert mandatory in html
    field_html = html[html.index(mandatory) - 200: html.index(mandatory) + 200]
    assert "disabled" in field_html and "checked" in field_html
    assert "notifications.test__" not in html  # internal kinds are not offered
    # Untick everything, including (by crafting the POST) the mandatory e-mail.
    response = client.post(reverse("notifications:settings"), {"notifications.urgent__sms": "on"})
    assert response.status_code == 302
    stored = set(NotificationPreference.objects.filter(user=citizen).values_list("kind", "channel", "enabled"))
    assert ("notifications.reminder", "email", False) in stored
    assert ("notifications.urgent", "sms", True) in stored
    assert not any(kind == "notifications.service_notice" and channel == "email" for kind, channel, _ in stored)
    assert [m.channel for m in services.notify(recipient=citizen, kind="notifications.reminder",
                                               context={"title": "a", "when": "b"})] == ["inapp"]
    assert sorted(m.channel for m in services.notify(recipient=citizen, kind="notifications.service_notice",
                                                     context={"text": "결정"})) == ["email", "inapp"]


def test_clerks_read_the_delivery_log_and_resend_failures(client, clerk, citizen, django_capture_on_commit_callbacks,
                                                          mailoutbox):
    failed = Message.objects.create(recipient=citizen, kind="notifications.test", channel="email", status=S.FAILED,
                                    idempotency_key="f:email", context={"name": "x"}, last_error="SMTP 421")
    inbox_message(citizen)
    client.force_login(clerk)
    changelist = reverse("admin:notifications_message_changelist")
    response = client.get(changelist, {"status__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [failed]
    assert client.get(reverse("admin:notifications_message_add")).status_code == 403
    change = client.get(reverse("admin:notifications_message_change", args=[failed.pk]))
    assert change.status_code == 200 and 'name="subject"' not in change.content.decode()  # read-only
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "resend_failed", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == S.SENT and len(mailoutbox) == 1


def test_citizens_cannot_reach_the_delivery_log(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:notifications_message_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert list(Message.objects.visible_to(citizen)) == []


def test_healthz_counts_pending_and_failed_messages(client, citizen):
    for n, status in enumerate([S.PENDING, S.HELD, S.FAILED, S.SENT]):
        Message.objects.create(recipient=citizen, kind="notifications.test", channel="email", status=status,
                               idempotency_key=f"h{n}:email", sent_at=timezone.now())
    data = client.get("/healthz").json()
    assert data["notifications"] == {"pending": 2, "failed": 1}


def test_demo_seed_gives_the_demo_citizen_two_welcome_messages_once(send_now):
    from accounts import demo as accounts_demo
    from notifications import demo

    accounts_demo.seed()
    with send_now():
        demo.seed()
        demo.seed()
    messages = Message.objects.filter(recipient__email="citizen@example.com")
    assert messages.count() == 2 and set(messages.values_list("status", flat=True)) == {S.SENT}


def test_the_beat_schedule_runs_the_sweep_every_minute(settings):
    from gwangmyeong_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notifications-requeue-due"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 60

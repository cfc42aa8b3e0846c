"""A small world for the access-control matrix: the demo data plus objects owned by one citizen
and one agency (A = 광명경찰서), seen by every role."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

ROLES = ("anonymous", "citizen", "other_citizen", "staff_a", "staff_b", "clerk", "superuser")
EMAILS = {
    "citizen": "citizen@example.com",
    "other_citizen": "citizen2@example.com",
    "staff_a": "police.staff@example.com",
    "staff_b": "post.staff@example.com",
    "clerk": "clerk@example.com",
    "superuser": "admin@example.com",
}


@dataclass
class World:
    users: dict
    kwargs: dict  # URL name -> kwargs


def build_world() -> World:
    from accounts.models import User
    from accounts.roles import role_permissions_sync
    from events.models import Event, Registration
    from events.services import registration_create
    from notifications.services import notify
    from partners.models import Agency
    from programs.models import Application, ApplicationDocument, Program

    call_command("seed_demo", verbosity=0)
    role_permissions_sync()
    users = {role: User.objects.get(email=email) for role, email in EMAILS.items()}
    citizen = users["citizen"]

    program = Program.objects.get(slug="youth-startup-fund")
    application = Application.objects.create(program=program, applicant=citizen, consent_at=timezone.now())
    Application.objects.filter(pk=application.pk).update(
        status="submitted", submitted_at=timezone.now(), reference=f"GM-2027-{application.pk:06d}")
    application.refresh_from_db()
    document = ApplicationDocument(application=application, original_name="plan.pdf", size=20)
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4 business plan"), save=True)

    police = Agency.objects.get(slug="police")
    event = (Event.objects.filter(organiser=police, registration_required=True, starts_at__gt=timezone.now())
             .order_by("starts_at").first()
             or Event.objects.filter(registration_required=True, starts_at__gt=timezone.now()).first())
    registration = Registration.objects.filter(user=citizen, event=event).first()
    if registration is None:
        registration = registration_create(event=event, user=citizen, party_size=1, answers={}, consent=True,
                                           provision_consent=True)
    message = notify(recipient=citizen, kind="notifications.welcome", context={"name": "김시민", "tip": "x"})[0]

    from matchmaking.models import MeetupSession

    session = MeetupSession.objects.order_by("pk").first()
    kwargs = {
        "my_applications:detail": {"reference": application.reference},
        "my_applications:withdraw": {"reference": application.reference},
        "my_applications:document": {"reference": application.reference, "document_id": document.pk},
        "programs:detail": {"slug": program.slug},
        "programs:apply": {"slug": program.slug},
        "programs:draft_document": {"slug": program.slug, "document_id": document.pk},
        "partners:agency": {"slug": police.slug},
        "notifications:mark_read": {"pk": message.pk},
        "notifications:open": {"pk": message.pk},
        "matchmaking:apply": {"pk": session.pk},
        "matchmaking:withdraw": {"pk": session.pk},
        "matchmaking:picks": {"pk": session.pk},
        "matchmaking:draw": {"pk": session.pk},
        "admin:programs_application_document": {"application_id": application.pk, "document_id": document.pk},
    }
    from events.models import ProgramInterest
    from partners.models import ActivityEvidence, LectureRequest

    lecture = LectureRequest.objects.filter(agency=police).order_by("pk").first()
    evidence = ActivityEvidence.objects.filter(report__agency=police).order_by("pk").first()
    interest = ProgramInterest.objects.order_by("pk").first()
    kwargs["admin:auth_user_password_change"] = {"id": citizen.pk}
    for action in ("schedule", "decline", "deliver", "cancel"):
        kwargs[f"admin:partners_lecturerequest_{action}"] = {"object_id": lecture.pk if lecture else 999999}
    kwargs["admin:partners_activityevidence_download"] = {"pk": evidence.pk if evidence else 999999}
    kwargs["events:interest_remove"] = {"pk": interest.pk if interest else 999999}
    for name in ("detail", "ics", "register", "checkin", "checkin_counts", "interest", "poster", "manage"):
        kwargs[f"events:{name}"] = {"pk": event.pk}
    from events.models import EventSeries

    series = EventSeries.objects.order_by("pk").first()
    for name in ("series", "series_ics", "series_register"):
        kwargs[f"events:{name}"] = {"pk": series.pk if series else 999999}
    kwargs["events:course_cancel"] = {"pk": 999999}  # POST-only
    for name in ("registration", "cancel", "accept", "feedback"):
        kwargs[f"events:{name}"] = {"pk": registration.pk}
    return World(users=users, kwargs=kwargs)

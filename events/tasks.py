"""Celery tasks of events: thin wrappers around the services, run by beat (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=600)
def expire_offers() -> int:
    """Every five minutes: lapsed waitlist offers pass to the next person."""
    return services.offers_expire()


@shared_task(acks_late=True, time_limit=600)
def send_reminders() -> int:
    """Every ten minutes: day-before and two-hours-before reminders, each sent once."""
    return services.reminders_send()


@shared_task(acks_late=True, time_limit=600)
def send_feedback_requests() -> int:
    """Hourly: ask attendees of events that have ended for a rating."""
    return services.feedback_requests_send()


@shared_task(acks_late=True, time_limit=600)
def notify_open_programs() -> int:
    """Hourly: programs noted at the fair that have opened for applications."""
    return services.program_interests_notify_open()


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3540)
def purge_expired_task() -> dict[str, int]:
    """Nightly: registrations (with feedback) and fair interests past REGISTRATION_RETENTION_DAYS go."""
    return {"registrations_deleted": services.registration_purge_expired(),
            "program_interests_deleted": services.program_interest_purge_expired()}


@shared_task(acks_late=True, time_limit=600)
def send_organiser_messages() -> int:
    """Every five minutes: organisers' messages scheduled for now go out, each once."""
    return services.organiser_messages_send_due()

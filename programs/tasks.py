"""Scheduled jobs of programs (thin: they call a service; see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import retention


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3540)
def purge_expired_task() -> dict[str, int]:
    """Nightly: anonymise applications past their retention, delete stale drafts and saved finder answers.
    A run stopped by the time limit keeps the batches it finished; the next night goes on from there."""
    return {
        "applications_anonymised": retention.application_anonymise_expired(),
        "drafts_deleted": retention.application_draft_purge_expired(),
        "finder_profiles_deleted": retention.finder_profile_purge_expired(),
    }


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def timeline_reminders_task() -> dict[str, int]:
    """Hourly: reminders before timeline windows open and close ("알림 받기"); each goes once."""
    from .timeline import timeline_reminders_send

    return timeline_reminders_send()

"""Which models carry a workflow, decided in one place.

A model has a workflow when it declares ``TRANSITIONS`` or has a ``status`` field with choices
(applications, activity reports, lecture requests, events, registrations, meetup sessions and
their applications, verifications…). Such rows change only through their services (withdraw,
cancel…), which tell whoever must know and cascade; a plain delete would skip all that. So no
role is granted their delete permission (``accounts.roles.role_permissions_sync``) and the admin
offers their delete to superusers only, with a reason that goes to the access log
(``gwangmyeong_portal.admin_workflow``).
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist


def model_has_workflow(model) -> bool:
    if getattr(model, "TRANSITIONS", None):
        return True
    try:
        status = model._meta.get_field("status")
    except FieldDoesNotExist:
        return False
    return bool(getattr(status, "choices", None))

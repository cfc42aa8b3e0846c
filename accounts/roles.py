"""The portal's roles, as Django groups, and the permissions each carries.

Groups are created by a data migration (``0002_role_groups``). Permissions are attached after
every ``migrate`` because Django creates permission rows only once all migrations have run, and
later apps add their models' permissions here as they land.
"""

from django.contrib.auth.models import Group, Permission

CITIZEN = "citizen"
AGENCY_STAFF = "agency_staff"
CITY_CLERK = "city_clerk"
ROLE_NAMES = (CITIZEN, AGENCY_STAFF, CITY_CLERK)

# "app_label.codename" per role. Agency staff get model permissions for what they manage;
# *which rows* they may see is decided by each model's ``visible_to(user)``.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    CITIZEN: set(),
    AGENCY_STAFF: set(),
    CITY_CLERK: {"accounts.view_user", "notifications.view_message", "notifications.change_message",
                 "portal.view_accesslogentry"},
}

# Programs: clerks of the Women & Family Division run the catalog and review applications.
ROLE_PERMISSIONS[CITY_CLERK] |= {
    "programs.view_program", "programs.add_program", "programs.change_program",
    "programs.view_requireddocument", "programs.add_requireddocument", "programs.change_requireddocument",
    "programs.delete_requireddocument", "programs.view_householdtag",
    "programs.view_application", "programs.change_application",
}

# Matchmaking: verifying agency staff confirm employees and upload rosters (their agency's rows
# only, see visible_to); clerks run sessions, draws and attendance and see aggregate figures.
# Nobody's role reaches picks, matches or contacts.
ROLE_PERMISSIONS[AGENCY_STAFF] |= {
    "matchmaking.view_verification", "matchmaking.change_verification",
    "matchmaking.view_rosterupload", "matchmaking.add_rosterupload",
}
ROLE_PERMISSIONS[CITY_CLERK] |= {
    "matchmaking.view_meetupsession", "matchmaking.add_meetupsession", "matchmaking.change_meetupsession",
    "matchmaking.run_draw", "matchmaking.view_aggregates", "matchmaking.view_drawrecord",
    "matchmaking.view_sessionapplication", "matchmaking.change_sessionapplication",
}


# Partners: agency staff report activities and request lectures for their own agency (which rows is
# decided by visible_to); clerks manage everything about the agreement and the lecturer roster.
ROLE_PERMISSIONS[AGENCY_STAFF] |= {
    "partners.view_activityreport", "partners.add_activityreport", "partners.change_activityreport",
    "partners.view_activityevidence", "partners.add_activityevidence", "partners.change_activityevidence",
    "partners.delete_activityevidence",
    "partners.view_lecturerequest", "partners.add_lecturerequest", "partners.change_lecturerequest",
    "partners.view_agencymembership",
}
ROLE_PERMISSIONS[CITY_CLERK] |= {
    f"partners.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("agency", "agencyemaildomain", "agencymembership", "agreement", "clause", "commitment",
                  "activityreport", "activityevidence", "lecturer", "lecturerequest")
    # Reports are withdrawn and lectures cancelled through their workflow, never deleted by a role.
    if not (action == "delete" and model in ("activityreport", "lecturerequest"))
}

def _deletes_a_workflow_row(app_label: str, codename: str) -> bool:
    """``delete_<model>`` of a model with a workflow: no role holds it, whatever the lists above say;
    such rows are withdrawn or cancelled through their services, and only superusers delete them
    (gwangmyeong_portal.workflow)."""
    from django.apps import apps

    from gwangmyeong_portal.workflow import model_has_workflow

    if not codename.startswith("delete_"):
        return False
    try:
        model = apps.get_model(app_label, codename.removeprefix("delete_"))
    except LookupError:
        return False
    return model_has_workflow(model)


def role_permissions_sync() -> None:
    """Make each role group hold exactly the permissions listed above (those that exist yet)."""
    for role in ROLE_NAMES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS[role]
        perms = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            if _deletes_a_workflow_row(app_label, codename):
                continue
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


def group_names(user) -> frozenset[str]:
    """The user's role names, looked up once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    names = getattr(user, "_portal_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._portal_group_names = names
    return names


# Set on a user object by accounts.middleware.StaffIdleTimeoutMiddleware when the session says the
# person held neither a staff role nor an agency membership a moment ago (it looks again every
# ROLE_RECHECK_SECONDS): their pages skip both lookups. Only ever set for citizens, so a role taken
# away applies at once; a role granted applies within that interval, as for the idle timeout.
_NO_STAFF_ROLE = "_portal_no_staff_role"


def known_without_staff_role(user, names) -> None:
    """Prime ``user`` for this request: its role names are ``names`` and it has no agency membership."""
    user._portal_group_names = frozenset(names)
    setattr(user, _NO_STAFF_ROLE, True)


def holds_no_staff_role(user) -> bool:
    """True when the request already knows ``user`` holds no staff role and no membership."""
    return getattr(user, _NO_STAFF_ROLE, False) is True


def user_role(user) -> str | None:
    """The highest role a user holds: superuser, city_clerk, agency_staff, citizen or None."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return "superuser"
    names = group_names(user)
    for role in (CITY_CLERK, AGENCY_STAFF, CITIZEN):
        if role in names:
            return role
    return None


def is_clerk(user) -> bool:
    return user.is_authenticated and (user.is_superuser or CITY_CLERK in group_names(user))


# Events: organisers manage events in the admin; which rows is decided by Event.objects.managed_by.
_EVENTS_ORGANISER = {
    "events.view_event", "events.add_event", "events.change_event",
    "events.view_eventseries", "events.add_eventseries", "events.change_eventseries",
    "events.view_registration", "events.change_registration", "events.view_feedback",
    "events.view_organisermessage",
}
ROLE_PERMISSIONS[AGENCY_STAFF] |= _EVENTS_ORGANISER
# Events are cancelled (registrants told), not deleted: no events.delete_event for any role.
ROLE_PERMISSIONS[CITY_CLERK] |= _EVENTS_ORGANISER | {"events.delete_eventseries"}

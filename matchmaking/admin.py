"""Staff screens of the meetup registry.

Verifying agency staff see registrants of their own agency only, for verification: name,
address, how they were verified — never contact, picks, matches or birth year. Clerks create
sessions, run the draw (a service; nobody chooses who is drawn) and record attendance. Every look
at a personal-data record is written to the access log (``AccessLoggedAdminMixin``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_clerk
from gwangmyeong_portal.access_log import AccessLoggedAdminMixin
from partners.selectors import membership_for

from . import services
from .models import DrawRecord, MeetupSession, Profile, RosterUpload, SessionApplication, Verification


def _report(request, exc: Exception) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _is_verifier(user) -> bool:
    membership = membership_for(user)
    return membership is not None and membership.can_verify_employees


@admin.register(Profile)
class ProfileAdmin(AccessLoggedAdminMixin, ReadOnlyAdmin):
    """The registry itself: operators (superusers) only. No staff role — an agency's verifier, an
    employer, a clerk — is shown who joined (``Profile.objects.staff_visible_to``). Contact, birth
    year, introduction, interests and picks are absent even here."""

    list_display = ("number", "display_name", "user_name", "user_email", "institution", "verification_method",
                    "verified_at")
    list_filter = ("verification_method", "institution")
    search_fields = ("display_name", "user__email", "user__name")
    fields = ("display_name", "user_name", "user_email", "institution", "verification_method", "verified_by",
              "verified_at", "declared_at", "created_at")
    readonly_fields = fields
    exclude = ("contact_encrypted", "birth_year", "intro", "interests")

    def get_queryset(self, request):
        return Profile.objects.staff_visible_to(request.user).select_related("user", "institution", "verified_by")

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser

    @admin.display(description=_("번호"), ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("이름"))
    def user_name(self, obj):
        return obj.user.name

    @admin.display(description=_("계정 이메일"))
    def user_email(self, obj):
        return obj.user.email


@admin.register(Verification)
class VerificationAdmin(AccessLoggedAdminMixin, ReadOnlyAdmin):
    """An agency's verifier sees the requests waiting for their confirmation — name, workplace and
    the claim, nothing else (no e-mail, no status history, nothing of the registry) — and a request
    leaves their view once decided (``Verification.objects.staff_visible_to``). The consent notice
    (templates/matchmaking/consent.html) says exactly this. Superusers see the full record."""

    VERIFIER_COLUMNS = ("number", "user_name", "agency", "claim", "requested_at")
    actions = ["confirm", "reject"]

    def get_queryset(self, request):
        return Verification.objects.staff_visible_to(request.user).select_related("user", "agency", "decided_by")

    def _allowed(self, request, perm: str) -> bool:
        user = request.user
        return user.is_superuser or (user.has_perm(f"matchmaking.{perm}_verification") and _is_verifier(user))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view")

    def has_change_permission(self, request, obj=None):
        # Needed for the actions; the form itself shows no editable field.
        return self._allowed(request, "change")

    def has_module_permission(self, request):
        return self._allowed(request, "view")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Nothing on the page is editable: the decision is the list's confirm / decline action.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False, "show_delete": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return (*self.VERIFIER_COLUMNS, "user_email", "status", "decided_by", "decided_at")
        return self.VERIFIER_COLUMNS

    def get_list_filter(self, request):
        return ("status", "agency") if request.user.is_superuser else ()

    def get_search_fields(self, request):
        return ("user__name", "user__email") if request.user.is_superuser else ("user__name",)

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ("user_name", "user_email", "agency", "claim", "status", "requested_at", "decided_by",
                    "decided_at")
        return ("user_name", "agency", "claim", "requested_at")

    @admin.display(description=_("번호"), ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("이름"), ordering="user__name")
    def user_name(self, obj):
        return obj.user.name

    @admin.display(description=_("계정 이메일"))
    def user_email(self, obj):
        return obj.user.email

    @admin.display(description=_("요청 내용"))
    def claim(self, obj):
        return _("%(agency)s에 재직 중이라며 확인을 요청했습니다.") % {"agency": obj.agency.name}

    def _decide(self, request, queryset, confirm: bool):
        done = 0
        for verification in queryset:
            try:
                services.verification_decide(verification=verification, staff=request.user, confirm=confirm)
                done += 1
            except PermissionDenied as exc:
                _report(request, exc)
        if done:
            messages.success(request, _("%(n)s건을 처리했습니다.") % {"n": done})

    @admin.action(description=_("재직 확인"), permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("확인 불가"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


class RosterUploadForm(forms.ModelForm):
    """Refuses a file that is not a roster here, with the reason next to the field (the service
    would refuse it too, but only after the form, where the admin cannot show the message)."""

    class Meta:
        model = RosterUpload
        fields = ("agency", "file")

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            services.roster_check(file)  # ValidationError → shown on the field
        return file


@admin.register(RosterUpload)
class RosterUploadAdmin(admin.ModelAdmin):
    """An agency's employee list, uploaded by its verifier: not registry data (it names every
    employee, member or not), so its verifier and superusers see it; nobody else."""

    form = RosterUploadForm
    list_display = ("number", "agency", "original_name", "entry_count", "skipped_count", "uploaded_by",
                    "uploaded_at")
    readonly_fields = ("original_name", "entry_count", "skipped_count", "uploaded_by", "uploaded_at")
    search_fields = ("original_name",)

    def get_queryset(self, request):
        return RosterUpload.objects.visible_to(request.user).select_related("agency", "uploaded_by")

    def _allowed(self, request, perm: str) -> bool:
        user = request.user
        return user.is_superuser or (user.has_perm(f"matchmaking.{perm}_rosterupload") and _is_verifier(user))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view")

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_module_permission(self, request):
        return self._allowed(request, "view")

    def get_list_filter(self, request):
        return ("agency",) if request.user.is_superuser else ()

    @admin.display(description=_("번호"), ordering="pk")
    def number(self, obj):
        return obj.pk

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("agency", *self.readonly_fields)
        return ("agency", "file") if request.user.is_superuser else ("file",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        agency = obj.agency if request.user.is_superuser else getattr(membership_for(request.user), "agency", None)
        if agency is None:
            raise PermissionDenied
        upload = services.roster_import(agency=agency, uploaded_by=request.user, file=form.cleaned_data["file"])
        obj.pk, obj._state.adding = upload.pk, False
        messages.info(request, _("주소 %(n)s개를 등록했고 %(s)s줄을 건너뛰었습니다.")
                      % {"n": upload.entry_count, "s": upload.skipped_count})


class MeetupSessionForm(forms.ModelForm):
    title_ko = forms.CharField(label=_("제목"), max_length=200)
    starts_at = forms.DateTimeField(label=_("시작"))
    ends_at = forms.DateTimeField(label=_("종료"))
    venue = forms.CharField(label=_("장소"), max_length=200, required=False)

    class Meta:
        model = MeetupSession
        fields = ("seats_female", "seats_male", "applications_open_at", "applications_close_at", "pick_deadline")


@admin.register(MeetupSession)
class MeetupSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "applications_open_at", "applications_close_at", "seats_female",
                    "seats_male", "drawn_at", "pick_deadline")
    list_select_related = ("event",)  # a session's name is its event's title
    search_fields = ("event__title_ko", "event__title_en", "event__venue")
    actions = ["run_draw"]

    @admin.display(description=_("제목"), ordering="event__title_ko")
    def title(self, obj):
        return str(obj)

    @admin.display(description=_("행사 일시"), ordering="event__starts_at")
    def starts_at(self, obj):
        return obj.event.starts_at

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = MeetupSessionForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("title_ko", "starts_at", "ends_at", "venue", "seats_female", "seats_male",
                    "applications_open_at", "applications_close_at", "pick_deadline")
        return ("event", "seats_female", "seats_male", "applications_open_at", "applications_close_at",
                "pick_deadline", "seed_sha256", "draw_seed", "drawn_at", "drawn_by", "attendance_marked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        locked = ("event", "seed_sha256", "draw_seed", "drawn_at", "drawn_by", "attendance_marked_at")
        # After the draw, seats and periods are history.
        return locked + (("seats_female", "seats_male", "applications_open_at", "applications_close_at")
                         if obj.drawn_at else ())

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        session = services.session_create(
            title_ko=data["title_ko"], starts_at=data["starts_at"], ends_at=data["ends_at"], venue=data["venue"],
            seats_female=data["seats_female"], seats_male=data["seats_male"],
            applications_open_at=data["applications_open_at"], applications_close_at=data["applications_close_at"],
            pick_deadline=data["pick_deadline"], created_by=request.user,
        )
        obj.pk, obj.event_id, obj._state.adding = session.pk, session.event_id, False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("추첨 실행(무작위, 기록됨)"), permissions=["run_draw"])
    def run_draw(self, request, queryset):
        for session in queryset:
            try:
                record = services.session_draw(session=session, drawn_by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                _report(request, exc)
            else:
                messages.success(request, _("%(s)s: 추첨했습니다(시드 %(seed)s).")
                                 % {"s": session, "seed": record.seed})

    @admin.display(description=_("시드의 SHA-256 (신청자에게 공개)"))
    def seed_sha256(self, obj):
        # The seed itself stays secret until the draw (``committed_seed`` is never shown here).
        return obj.seed_sha256

    def has_run_draw_permission(self, request):
        return request.user.has_perm("matchmaking.run_draw")


class SessionListFilter(admin.RelatedFieldListFilter):
    """The "by session" filter, naming each session by its event's title in one query."""

    def field_choices(self, field, request, model_admin):
        sessions = MeetupSession.objects.with_event()
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            sessions = sessions.order_by(*ordering)
        return [(session.pk, str(session)) for session in sessions]


@admin.register(SessionApplication)
class SessionApplicationAdmin(AccessLoggedAdminMixin, ReadOnlyAdmin):
    """Who applied and who came — what the clerk needs at the door. No contact, no picks."""

    list_display = ("number", "session", "display_name", "gender", "status", "waitlist_position")
    list_filter = (("session", SessionListFilter), "status")
    search_fields = ("profile__display_name",)
    fields = ("session", "display_name", "gender", "status", "waitlist_position", "applied_at")
    readonly_fields = fields
    actions = ["mark_attendance"]

    def get_queryset(self, request):
        qs = SessionApplication.objects.select_related("session__event", "profile")
        if request.user.is_superuser or is_clerk(request.user):
            return qs
        return qs.none()

    def has_view_permission(self, request, obj=None):
        return is_clerk(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_clerk(request.user) and request.user.has_perm("matchmaking.change_sessionapplication")

    @admin.display(description=_("번호"), ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description=_("활동명"), ordering="profile__display_name")
    def display_name(self, obj):
        return obj.profile.display_name

    @admin.display(description=_("성별"))
    def gender(self, obj):
        return obj.profile.get_gender_display()

    @admin.action(description=_("고른 사람을 참석으로, 나머지 선정자를 불참으로 기록"), permissions=["change"])
    def mark_attendance(self, request, queryset):
        sessions = {a.session_id for a in queryset}
        if len(sessions) != 1:
            messages.error(request, _("한 번에 한 행사의 신청만 고르세요."))
            return
        session = queryset.first().session
        try:
            n = services.attendance_mark(session=session, attended_profile_ids=[a.profile_id for a in queryset],
                                         marked_by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("참석 %(n)s명을 기록했습니다.") % {"n": n})


@admin.register(DrawRecord)
class DrawRecordAdmin(ReadOnlyAdmin):
    list_display = ("session", "seed", "drawn_by", "drawn_at")
    list_select_related = ("session__event", "drawn_by")
    search_fields = ("session__event__title_ko", "seed")
    fields = ("session", "seed", "algorithm", "input_order", "result", "public_input", "commitment", "drawn_by",
              "drawn_at")
    readonly_fields = fields

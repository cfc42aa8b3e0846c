"""Pages of the meetup registry. Each parses input, calls one service, renders or redirects.

Every page but the landing page needs a signed-in user; anything that is not the user's own
answers 404. Pages are never cached (they carry personal data).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gwangmyeong_portal.access_log import client_ip

from . import selectors, services
from .forms import ConsentForm, LeaveForm, PickForm, ProfileForm, VerificationRequestForm
from .models import MeetupSession, SessionApplication, Verification
from .services.draws import draw_check_for


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _profile_or_redirect(request):
    profile = selectors.profile_of(request.user)
    if profile is not None:
        services.profile_touch(profile=profile)
    return profile


@never_cache
def landing(request):
    context = {"min_age": settings.MATCHMAKING_MIN_AGE, "max_age": settings.MATCHMAKING_MAX_AGE,
               "retention_days": settings.MATCHMAKING_RETENTION_DAYS}
    if request.user.is_authenticated:
        profile = _profile_or_redirect(request)
        context.update(
            profile=profile,
            consent=services.consent_current(user=request.user),
            eligibility=None if profile else services.eligibility_for(user=request.user),
            verifications=Verification.objects.filter(user=request.user).select_related("agency"),
            verify_form=VerificationRequestForm(),
        )
    return render(request, "matchmaking/landing.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent(request):
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(user=request.user, optional_consent=form.cleaned_data["optional_consent"],
                                ip_address=client_ip(request))
        messages.success(request, _("동의 내용을 저장했습니다."))
        return redirect("matchmaking:profile" if services.eligibility_for(user=request.user) else "matchmaking:landing")
    return render(request, "matchmaking/consent.html", {
        "form": form, "version": services.CONSENT_VERSION, "retention_days": settings.MATCHMAKING_RETENTION_DAYS,
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def verification_request(request):
    form = VerificationRequestForm(request.POST)
    if form.is_valid():
        services.verification_request(user=request.user, agency=form.cleaned_data["agency"])
        messages.success(request, _("기관 담당자에게 재직 확인을 요청했습니다. 확인되면 알려 드립니다."))
    return redirect("matchmaking:landing")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = _profile_or_redirect(request)
    consent_row = services.consent_current(user=request.user)
    if consent_row is None:
        messages.info(request, _("먼저 개인정보 수집·이용 동의를 해 주세요."))
        return redirect("matchmaking:consent")
    editing = profile is not None
    initial = {}
    if editing:
        initial = {f: getattr(profile, f) for f in ("display_name", "birth_year", "show_institution", "intro",
                                                    "interests")}
    form = ProfileForm(request.POST or None, initial=initial, editing=editing,
                       optional_allowed=consent_row.optional_consent)
    status = 400 if request.method == "POST" else 200  # a POST that is not redirected was refused
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if editing:
                services.profile_update(
                    profile=profile, display_name=data["display_name"], birth_year=data["birth_year"],
                    show_institution=data["show_institution"], intro=data.get("intro", ""),
                    interests=data.get("interests", ""), contact=data["contact"],
                )
            else:
                services.profile_create(
                    user=request.user, display_name=data["display_name"], gender=data["gender"],
                    birth_year=data["birth_year"], contact=data["contact"],
                    declared_unmarried=data["declared_unmarried"], show_institution=data["show_institution"],
                    intro=data.get("intro", ""), interests=data.get("interests", ""),
                )
        except ValidationError as exc:
            _errors(request, exc)
            status = 409
        else:
            messages.success(request, _("프로필을 저장했습니다."))
            return redirect("matchmaking:sessions")
    eligibility = None if editing else services.eligibility_for(user=request.user)
    return render(request, "matchmaking/profile_form.html",
                  {"form": form, "profile": profile, "editing": editing, "eligibility": eligibility}, status=status)


def _require_profile(request):
    profile = _profile_or_redirect(request)
    if profile is None:
        raise Http404
    return profile


@never_cache
@login_required
def session_list(request):
    profile = _require_profile(request)
    sessions = list(selectors.sessions_open_or_upcoming())
    mine = selectors.applications_by_session(profile)
    now = timezone.now()
    held = (SessionApplication.Status.APPLIED, SessionApplication.Status.SELECTED,
            SessionApplication.Status.WAITLISTED)
    rows = [{"session": s, "application": mine.get(s.pk),
             "can_apply": s.applications_open_at <= now < s.applications_close_at and s.drawn_at is None,
             # As services.session_withdraw allows: any time until the meetup starts — also between
             # the close of applications and the draw, and for selected or waitlisted people after it.
             "can_withdraw": (now < s.starts_at and mine.get(s.pk) is not None and mine[s.pk].status in held),
             "can_pick": (mine.get(s.pk) is not None and mine[s.pk].status == SessionApplication.Status.ATTENDED
                          and s.ends_at <= now < s.pick_deadline)}
            for s in sessions]
    return render(request, "matchmaking/sessions.html", {"rows": rows, "profile": profile})


@login_required
@require_POST
def session_apply(request, pk):
    profile = _require_profile(request)
    session = get_object_or_404(MeetupSession.objects.select_related("event"), pk=pk)
    try:
        services.session_apply(session=session, profile=profile)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("신청했습니다. 신청 마감 뒤 공정한 추첨으로 참가자를 정하고 결과를 알려 드립니다."))
    return redirect("matchmaking:sessions")


@login_required
@require_POST
def session_withdraw(request, pk):
    profile = _require_profile(request)
    session = get_object_or_404(MeetupSession, pk=pk, applications__profile=profile)
    try:
        withdrawn = services.session_withdraw(session=session, profile=profile)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if withdrawn == SessionApplication.Status.SELECTED:
            messages.success(request, _("참가를 취소했습니다. 자리는 대기 중인 다음 분께 넘어갑니다."))
        else:
            messages.success(request, _("신청을 취소했습니다."))
    return redirect("matchmaking:sessions")


@never_cache
@login_required
def draw_check(request, pk):
    """The draw of one session as its applicants may check it: before the draw the commitment,
    after it the seed and a re-run. Only an applicant of that session; anyone else gets 404."""
    profile = _require_profile(request)
    application = get_object_or_404(SessionApplication.objects.select_related("session__event"),
                                    session_id=pk, profile=profile)
    check = draw_check_for(session=application.session, application=application)
    return render(request, "matchmaking/draw_check.html", {"check": check, "session": application.session})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def picks(request, pk):
    profile = _require_profile(request)
    session = get_object_or_404(
        MeetupSession.objects.select_related("event"), pk=pk,
        applications__profile=profile, applications__status=SessionApplication.Status.ATTENDED,
    )
    attendees = selectors.attendees_for_picking(session=session, picker=profile)
    form = PickForm(request.POST or None, attendees=attendees)
    status = 400 if request.method == "POST" else 200  # a POST that is not redirected was refused
    if request.method == "POST" and form.is_valid():
        try:
            new_matches = services.pick_submit(session=session, picker=profile,
                                               picked_ids=[int(x) for x in form.cleaned_data["picked"]])
        except ValidationError as exc:
            _errors(request, exc)
            status = 409
        else:
            messages.success(request, _("선택을 저장했습니다."))
            if new_matches:
                messages.success(request, _("서로 선택한 분이 있습니다. 매칭 페이지에서 확인하세요."))
                return redirect("matchmaking:matches")
            return redirect("matchmaking:picks", pk=session.pk)
    made = selectors.picks_made(session=session, picker=profile)
    return render(request, "matchmaking/picks.html", {
        "session": session, "form": form, "attendees": attendees, "made": made,
        "left": settings.MATCHMAKING_MAX_PICKS - len(made),
        "open": session.ends_at <= timezone.now() < session.pick_deadline,
    }, status=status)


@never_cache
@login_required
def matches(request):
    profile = _require_profile(request)
    rows = [{"match": m, "contact": "" if m.other_left else m.other.reveal_contact()}
            for m in selectors.matches_for(profile=profile)]
    response = render(request, "matchmaking/matches.html", {"rows": rows})
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def leave(request):
    profile = _require_profile(request)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.profile_leave(profile=profile)
        messages.success(request, _("프로필과 연락처, 선택 기록을 삭제했습니다."))
        return redirect("matchmaking:landing")
    return render(request, "matchmaking/leave.html", {"form": form}, status=400 if request.method == "POST" else 200)


@never_cache
@login_required
def stats(request):
    if not (request.user.is_superuser or request.user.has_perm("matchmaking.view_aggregates")):
        raise Http404
    return render(request, "matchmaking/stats.html", {"figures": selectors.city_aggregates()})

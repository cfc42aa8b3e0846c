"""Views of the catalog, finder, timeline and citizens' applications. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gwangmyeong_portal import page_cache
from gwangmyeong_portal.uploads import private_file_response

from . import eligibility, selectors, services
from . import timeline as timeline_services
from .forms import ApplicationForm, ProvideInfoForm, TimelineForm
from .models import Application, ApplicationDocument, HouseholdTag, LifeStage, Program

PAGE_SIZE = 12


@page_cache.anonymous_page("programs")
@require_GET
def catalog(request):
    filters = selectors.CatalogFilters.from_query(request.GET)
    page_number = request.GET.get("page") or "1"

    search = SimpleLazyObject(lambda: selectors.program_catalog(request.user, filters=filters))

    def page():
        return Paginator(search.programs, PAGE_SIZE).get_page(page_number)

    # The list is the same for every visitor (published programs only); searches are not cached.
    cacheable = not filters.q and page_number.isdigit() and int(page_number) <= 100 and (
        not filters.tag or filters.tag in selectors.household_tag_codes())
    query = {k: v for k, v in (("stage", filters.stage), ("tag", filters.tag), ("topic", filters.topic),
                               ("open", "1" if filters.open_now else ""), ("q", filters.q)) if v}
    return render(request, "programs/catalog.html", {
        "crumbs": [(_("정책 사업"), reverse("programs:catalog"))], "page": SimpleLazyObject(page), "search": search,
        "filters": filters, "stages": LifeStage.choices, "topics": Program.Topic.choices,
        "tags": HouseholdTag.objects.all(), "query_without_page": urlencode(query),
        "cache_key": page_cache.key("programs", "catalog", filters, page_number) if cacheable else "",
    })


@page_cache.anonymous_page("programs")
@require_GET
def detail(request, slug):
    def load():
        return get_object_or_404(Program.objects.visible_to(request.user).prefetch_related(
            "household_tags", "required_documents"), slug=slug)

    if request.user.is_authenticated:
        return _render_detail(request, load())
    # Anonymous visitors all see the same page: the program (with its tags and documents) and
    # the page body are cached; a missing slug raises 404 and caches nothing.
    program = page_cache.get_or_set(page_cache.key("programs", "detail-row", slug), load)
    return _render_detail(request, program, cache_key=page_cache.key("programs", "detail", slug))


def _render_detail(request, program: Program, *, cache_key: str = "", status: int = 200):
    """The program page; with ``status`` 409 it answers an application the program refused."""
    application = None
    if request.user.is_authenticated:
        application = (Application.objects.visible_to(request.user).active()
                       .filter(program=program, applicant=request.user).first())
    return render(request, "programs/detail.html", {
        "program": program, "application": application, "cache_key": cache_key,
        "rules": SimpleLazyObject(lambda: [eligibility.rule_label(rule) for rule in program.eligibility_rules]),
        "crumbs": [(_("정책 사업"), reverse("programs:catalog")), (program.title, program.get_absolute_url())],
    }, status=status)


# --- Finder ----------------------------------------------------------------------------------

@require_GET
def finder(request):
    """One question per step; every answer so far rides along in the query string.

    An answer that cannot be read is never dropped silently: whatever ``step`` says, the first
    question with a bad answer is asked again, with the error and what was typed.
    """
    answers = eligibility.parse_answers(request.GET)
    invalid = [index for index, q in enumerate(eligibility.QUESTIONS, start=1) if q["key"] in answers.errors]
    if invalid:
        step = invalid[0]
    else:
        try:
            step = int(request.GET.get("step", "1"))
        except ValueError:
            step = 1
        step = min(max(step, 1), len(eligibility.QUESTIONS))
    question = eligibility.QUESTIONS[step - 1]
    key = question["key"]
    carried = {k: v for k, v in answers.as_query().items() if k != key}
    value = (request.GET.get(key) or "").strip() if key in answers.errors else answers.as_query().get(key, "")
    return render(request, "programs/finder_step.html", {
        "step": step, "total": len(eligibility.QUESTIONS), "question": question, "carried": carried,
        "value": value, "error": answers.errors.get(key),
        "is_last": step == len(eligibility.QUESTIONS),
        "back_url": (f"{reverse('programs:finder')}?{urlencode({**answers.as_query(), 'step': step - 1})}"
                     if step > 1 else ""),
        "steps": [str(q["label"]) for q in eligibility.QUESTIONS],
    })


@require_GET
@page_cache.anonymous_page("programs")  # the same answers give every anonymous visitor the same page
def finder_results(request):
    answers = eligibility.parse_answers(request.GET)
    if answers.errors:
        # Results that quietly ignore an answer would mislead; ask that question again instead.
        query = request.GET.copy()
        query.pop("step", None)
        return redirect(f"{reverse('programs:finder')}?{query.urlencode()}")
    results = selectors.finder_results(answers)
    return render(request, "programs/finder_results.html", {
        "results": results, "answers": answers, "query": urlencode(answers.as_query()),
        "answered": len(answers.values), "total": len(eligibility.QUESTIONS),
    })


@login_required
@require_POST
def finder_save(request):
    """Keep the answers on the user's profile — only when the user presses the button."""
    answers = eligibility.parse_answers(request.POST)
    services.finder_profile_save(user=request.user, answers=answers.as_query())
    messages.success(request, _("답변을 내 정보에 저장했습니다. 내 정보에서 언제든 지울 수 있습니다."))
    return redirect(f"{reverse('programs:finder_results')}?{urlencode(answers.as_query())}")


@login_required
@require_POST
def finder_forget(request):
    services.finder_profile_delete(user=request.user)
    messages.success(request, _("저장한 답변을 지웠습니다."))
    return redirect("accounts:me")


# --- Timeline --------------------------------------------------------------------------------

@require_GET
def timeline(request):
    form = TimelineForm(request.GET or None)
    items = []
    if form.is_valid():
        items = selectors.personal_timeline(**form.cleaned_data)
    subscription = selectors.timeline_subscription_for(request.user)
    dates = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return render(request, "programs/timeline.html", {
        "form": form, "query": request.GET.urlencode(), "items": items,
        "ahead": [item for item in items if not item.passed], "behind": [item for item in items if item.passed],
        "subscription": subscription,
        "subscribed_here": bool(subscription and dates and subscription.due_date == dates.get("due_date")
                                and subscription.birth_date == dates.get("birth_date")),
        "open_notice_days": timeline_services.OPEN_NOTICE_DAYS,
        "close_notice_days": timeline_services.CLOSE_NOTICE_DAYS,
    })


@require_GET
def timeline_ics(request):
    form = TimelineForm(request.GET)
    if not form.is_valid():
        raise Http404
    items = selectors.personal_timeline(**form.cleaned_data)
    body = timeline_services.timeline_calendar_bytes(items, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gwangmyeong-timeline.ics"'
    return response


def _timeline_url(due_date, birth_date) -> str:
    query = {k: v.isoformat() for k, v in (("due_date", due_date), ("birth_date", birth_date)) if v}
    return f"{reverse('programs:timeline')}?{urlencode(query)}"


@login_required
@require_POST
def timeline_subscribe(request):
    """"알림 받기": keep the dates and remind before each window opens and closes."""
    form = TimelineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("출산 예정일이나 자녀 출생일을 확인해 주세요."))
        return redirect("programs:timeline")
    timeline_services.timeline_subscribe(user=request.user, **form.cleaned_data)
    messages.success(request, _("신청 일정 알림을 켰습니다. 신청 시작과 마감 전에 알려 드립니다."))
    return redirect(_timeline_url(form.cleaned_data["due_date"], form.cleaned_data["birth_date"]))


@login_required
@require_POST
def timeline_unsubscribe(request):
    subscription = selectors.timeline_subscription_for(request.user)
    timeline_services.timeline_unsubscribe(user=request.user)
    messages.success(request, _("신청 일정 알림을 껐습니다. 저장했던 날짜도 지웠습니다."))
    if subscription is not None:
        return redirect(_timeline_url(subscription.due_date, subscription.birth_date))
    return redirect("programs:timeline")


# --- Applying ----------------------------------------------------------------------------------

@login_required
def apply(request, slug):
    """The application form. Opening it writes nothing: the draft is made on the first save. A
    POST whose form has errors still keeps the files that passed their checks (with the draft),
    so a refused file never costs the citizen the good one."""
    program = get_object_or_404(Program.objects.visible_to(request.user).prefetch_related("required_documents"),
                                slug=slug)
    try:
        application = services.application_draft_for(program=program, applicant=request.user)
    except services.ApplicationError as exc:
        messages.error(request, exc.messages[0])
        if request.method == "POST":
            # Applied already, or the program has closed: the program page says so, as a refusal.
            return _render_detail(request, program, status=409)
        return redirect(program)
    uploaded = set(application.documents.values_list("required_document_id", flat=True)) if application else set()
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, program=program, uploaded_document_ids=uploaded)
        valid, accepted = form.is_valid(), form.files_by_document()
        status = 400  # what follows either redirects or shows the form again with what was refused
        try:
            if valid or accepted:
                application = services.application_start(program=program, applicant=request.user)
            if not valid and accepted:
                services.application_keep_documents(application=application, files=accepted)
            if valid:
                services.application_save_draft(
                    application=application, answers=form.answers(), contact_phone=form.cleaned_data["contact_phone"],
                    consent=form.cleaned_data["consent"], phone_consent=form.cleaned_data["phone_consent"],
                    files=form.files_by_document(),
                )
                if "submit" in request.POST:
                    application = services.application_submit(application=application, actor=request.user)
                    messages.success(request, _("신청이 접수되었습니다. 신청 번호는 %(ref)s입니다.")
                                     % {"ref": application.reference})
                    return redirect("my_applications:detail", reference=application.reference)
                messages.success(request, _("임시 저장했습니다. 언제든 이어서 작성할 수 있습니다."))
                return redirect("programs:apply", slug=program.slug)
        except services.ApplicationError as exc:
            if exc.code == "missing_documents":
                # Next to each document still missing, so the summary links to its field: the
                # form is incomplete (400), as when a field is left empty.
                for document in services.missing_documents(application):
                    form.add_error(f"doc_{document.pk}", _("신청하려면 이 서류를 올려 주세요."))
            else:
                form.add_error(None, exc.messages[0])
                status = 409  # well-formed, but the program's or the draft's state refuses it
        if application is not None:
            # Files kept above, or saved before a submit that failed, count as attached.
            form.mark_uploaded(set(application.documents.values_list("required_document_id", flat=True)))
    else:
        initial = {}
        if application is not None:
            initial = {f"q_{k}": v for k, v in application.answers.items()}
            initial.update(contact_phone=application.contact_phone, consent=application.consent_at is not None,
                           phone_consent=application.phone_consent_at is not None)
        form = ApplicationForm(initial=initial, program=program, uploaded_document_ids=uploaded)
    return render(request, "programs/apply.html", {
        "program": program, "application": application, "form": form,
        "documents": application.documents.select_related("required_document") if application else [],
        "crumbs": [(_("정책 사업"), reverse("programs:catalog")), (program.title, program.get_absolute_url()),
                   (_("신청"), reverse("programs:apply", args=[program.slug]))],
    }, status=status)


@login_required
@require_GET
def my_applications(request):
    return render(request, "programs/my_applications.html",
                  {"applications": selectors.application_list_for(request.user)})


def _own_application(request, reference) -> Application:
    try:
        application = selectors.application_get_visible(request.user, reference)
    except Application.DoesNotExist:
        raise Http404 from None
    if application.applicant_id != request.user.pk:
        raise Http404  # staff review in the admin, where every look is logged
    return application


@login_required
def my_application(request, reference):
    """The citizen's application, and while information is requested the 보완 제출 form. Like the
    application form, a POST refused for one file keeps the files that passed (held, not yet
    submitted: ``services.application_hold_supplement_files``), so only the refused one is picked
    again; the next submit files them with the rest."""
    application = _own_application(request, reference)
    held = application.documents.filter(held=True).select_related("required_document")
    form = ProvideInfoForm(program=application.program, held=held)
    status = 200
    if request.method == "POST" and application.status != Application.Status.INFO_REQUESTED:
        messages.error(request, _("보완 요청을 받은 신청만 보완 내용을 낼 수 있습니다."))
        status = 409
    elif request.method == "POST":
        form = ProvideInfoForm(request.POST, request.FILES, program=application.program, held=held)
        try:
            if form.is_valid():
                services.application_provide_info(
                    application=application, actor=request.user, note=form.cleaned_data["note"],
                    files=form.files_by_document(),
                )
                messages.success(request, _("보완 내용을 제출했습니다."))
                return redirect("my_applications:detail", reference=reference)
            status = 400
            if form.files_by_document():
                form.mark_held(services.application_hold_supplement_files(
                    application=application, files=form.files_by_document()))
        except services.ApplicationError as exc:
            form.add_error(None, exc.messages[0])
            status = 409
    return render(request, "programs/my_application.html", {
        "application": application, "form": form, "held": form.held,
        "documents": application.documents.filter(held=False).select_related("required_document"),
        "crumbs": [(_("내 신청 내역"), reverse("my_applications:list")),
                   (application.reference, application.get_absolute_url())],
    }, status=status)


@login_required
@require_POST
def my_application_withdraw(request, reference):
    application = _own_application(request, reference)
    try:
        services.application_withdraw(application=application, actor=request.user)
        messages.success(request, _("신청을 취소했습니다."))
    except services.ApplicationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("my_applications:detail", reference=reference)


@login_required
@require_POST
def my_draft_discard(request, pk):
    """Delete the user's own draft (others' drafts and submitted applications answer 404)."""
    draft = get_object_or_404(
        Application.objects.visible_to(request.user).filter(applicant=request.user, status=Application.Status.DRAFT),
        pk=pk,
    )
    try:
        services.application_draft_discard(application=draft, user=request.user)
        messages.success(request, _("작성 중이던 신청서와 올린 서류를 삭제했습니다."))
    except services.ApplicationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("my_applications:list")


@login_required
@require_GET
def my_document(request, reference, document_id):
    application = _own_application(request, reference)
    document = get_object_or_404(ApplicationDocument, pk=document_id, application=application)
    return private_file_response(document.file, download_name=document.original_name, request=request)


@login_required
@require_GET
def draft_document(request, slug, document_id):
    """A file the applicant uploaded to a draft (drafts have no reference yet)."""
    own = Application.objects.visible_to(request.user).filter(applicant=request.user, program__slug=slug)
    document = get_object_or_404(ApplicationDocument, pk=document_id, application__in=own)
    return private_file_response(document.file, download_name=document.original_name, request=request)

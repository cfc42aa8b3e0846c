from allauth.account.decorators import reauthentication_required
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gwangmyeong_portal import page_cache

from . import personal_data, services
from .forms import AccountDeleteForm, ProfileForm


def _me_sections(request) -> list[dict]:
    """Sections other apps add to my page: an AppConfig's ``me_section(request)`` returns
    ``{"template": ..., "context": {...}}`` or None."""
    sections = []
    for config in apps.get_app_configs():
        provider = getattr(config, "me_section", None)
        if provider is not None:
            section = provider(request)
            if section:
                sections.append(section)
    return sections


@login_required
def me(request):
    """My page. The apps' sections are rendered once and kept per person and session (their forms
    carry this session's CSRF token) until one of the person's rows changes (page_cache)."""
    if not request.session.session_key:
        request.session.save()
    cache_key = page_cache.user_key(request.user.pk, "me-sections", request.session.session_key)
    sections_html = page_cache.get_or_set(
        cache_key,
        lambda: render_to_string("accounts/_me_sections.html", {"sections": _me_sections(request)}, request=request),
        timeout=page_cache.USER_TIMEOUT,
    )
    return render(request, "accounts/me.html", {"sections_html": sections_html})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("내 정보를 저장했습니다."))
        return redirect("accounts:me")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
def data_export(request):
    """Everything the portal holds about the person, as JSON (times in Asia/Seoul)."""
    return _download(personal_data.as_json(services.user_data_export(user=request.user)).encode("utf-8"),
                     "application/json; charset=utf-8", "json")


@login_required
def data_export_zip(request):
    """The same JSON with the files the person uploaded, in one ZIP."""
    document = services.user_data_export(user=request.user)
    return _download(personal_data.as_zip(document, personal_data.files_of(request.user)), "application/zip", "zip")


def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        kept = services.user_delete(user=request.user)
        logout(request)
        return render(request, "accounts/deleted.html", {"kept": kept})
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "explanation": services.deletion_explanation()},
        status=400 if form.is_bound else 200,
    )

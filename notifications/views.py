import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import PreferencesForm


@login_required
def inbox(request):
    page = Paginator(selectors.message_inbox_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    services.message_mark_read(message=selectors.message_get_own(user=request.user, pk=pk))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.message_mark_all_read(user=request.user)
    messages.success(request, _("모든 알림을 읽음으로 표시했습니다."))
    return redirect("notifications:inbox")


@login_required
def open_message(request, pk: int):
    message = selectors.message_get_own(user=request.user, pk=pk)
    services.message_mark_read(message=message)
    safe = message.link and url_has_allowed_host_and_scheme(
        message.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(message.link if safe else "notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    rows = selectors.preference_rows_for(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(user=request.user, choices=form.choices())
        messages.success(request, _("알림 설정을 저장했습니다."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form}, status=400 if form.is_bound else 200)


# --- SOLAPI's delivery-report callback ---------------------------------------------------
# The webhook SOLAPI calls with delivery reports: ``POST /me/notifications/solapi/reports/<token>/``.
#
# SOLAPI signs nothing in its report webhooks, so authenticity is checked the two ways open to us:
# the callback URL holds a secret (``SOLAPI_WEBHOOK_TOKEN``, compared in constant time), and, if
# ``SOLAPI_WEBHOOK_ALLOWED_IPS`` is set, only those addresses may call it. A wrong token or address
# answers 403, a malformed body 400, a report for a message the portal never sent 404 — each
# logged, none changing anything. Replays and duplicates are harmless: a receipt only changes a
# row still waiting for one (``notifications.services.alimtalk``).

logger = logging.getLogger("notifications.webhooks")


def _client_ip(request) -> str:
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@csrf_exempt  # a provider's callback: no browser session, authenticated by the URL's secret
@require_POST
def solapi_reports(request, token: str):
    expected = settings.SOLAPI_WEBHOOK_TOKEN
    ip = _client_ip(request)
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        logger.warning("SOLAPI report refused from %s: bad token", ip)
        return HttpResponse(status=403)
    allowed = settings.SOLAPI_WEBHOOK_ALLOWED_IPS
    if allowed and ip not in allowed:
        logger.warning("SOLAPI report refused from %s: address not allowed", ip)
        return HttpResponse(status=403)
    try:
        reports = json.loads(request.body)
        outcome = services.alimtalk_reports_apply(reports=reports)
    except (ValueError, UnicodeDecodeError) as exc:
        logger.warning("SOLAPI report from %s refused: %s", ip, exc)
        return JsonResponse({"error": "malformed report"}, status=400)
    except services.UnknownProviderMessage as exc:
        logger.warning("SOLAPI report from %s for unknown message %s: nothing changed", ip, exc)
        return JsonResponse({"error": "unknown message"}, status=404)
    return JsonResponse({"ok": True, **outcome})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
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
    return render(request, "notifications/settings.html", {"form": form})

"""Public pages of the agreement and the clerk overview. Views parse, call a selector, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_clerk

from . import selectors
from .models import Agency


def index(request):
    context = selectors.partners_overview()
    context["crumbs"] = [(_("협약 기관"), reverse("partners:index"))]
    return render(request, "partners/index.html", context)


def agency_detail(request, slug):
    agency = get_object_or_404(Agency.objects.partners().active(), slug=slug)
    context = selectors.agency_public(agency=agency)
    context["crumbs"] = [(_("협약 기관"), reverse("partners:index")), (agency.name, request.path)]
    return render(request, "partners/agency_detail.html", context)


@login_required
def overview(request):
    if not is_clerk(request.user):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2017 <= year <= timezone.localdate().year + 1:
        year = timezone.localdate().year
    context = selectors.commitments_vs_activities(year=year)
    context["crumbs"] = [(_("협약 기관"), reverse("partners:index")), (_("협약 이행 현황"), request.path)]
    context["years"] = range(timezone.localdate().year, 2016, -1)
    return render(request, "partners/overview.html", context)

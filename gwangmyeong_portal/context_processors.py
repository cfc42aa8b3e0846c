from django.conf import settings


def portal(request):
    """Values every page's shell needs (site name, the city office phone)."""
    return {"PORTAL_NAME": settings.PORTAL_NAME, "CITY_OFFICE_PHONE": settings.CITY_OFFICE_PHONE}

"""KRDS pagination (templates/includes/pagination.html) for a Django ``Page``."""

from django import template

register = template.Library()


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def krds_pagination(context, page, query=None, label=""):
    """``query``: the list's other parameters, already normalised (cached pages pass their own);
    without it they are taken from the request, less ``page``."""
    if query is None:
        params = context["request"].GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    prefix = f"?{query}&page=" if query else "?page="
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {"page": page, "prefix": prefix, "numbers": list(numbers), "ellipsis": page.paginator.ELLIPSIS,
            "label": label}

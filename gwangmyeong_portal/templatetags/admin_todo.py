from django import template

from gwangmyeong_portal.admin_todo import staff_todo

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_staff_todo(context):
    """The to-do items of the signed-in staff member (see gwangmyeong_portal.admin_todo)."""
    request = context.get("request")
    return staff_todo(request.user) if request is not None else []

from django.utils.functional import SimpleLazyObject


def unread_count(request):
    """``notifications_unread_count`` for the header badge: one COUNT, only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .selectors import message_unread_count

    return {"notifications_unread_count": SimpleLazyObject(lambda: message_unread_count(user=user))}

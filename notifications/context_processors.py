from django.utils.functional import SimpleLazyObject


def unread_count(request):
    """``notifications_unread_count`` for the header badge: one COUNT, only if a page shows it, kept
    in the cache per person until their inbox changes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from gwangmyeong_portal import page_cache

    from .selectors import message_unread_count

    def count():
        # Kept per person until a message arrives or is read (services bump the person's version).
        return page_cache.get_or_set(page_cache.user_key(user.pk, "unread"), lambda: message_unread_count(user=user),
                                     timeout=page_cache.USER_TIMEOUT)

    return {"notifications_unread_count": SimpleLazyObject(count)}

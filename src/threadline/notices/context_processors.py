from django.utils.functional import SimpleLazyObject

from .selectors import inbox_counts


def inbox(request) -> dict:
    """Unread and unacknowledged counts for the header, counted only if a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notice_counts": SimpleLazyObject(lambda: inbox_counts(user))}

"""The authentication backend: Django's ModelBackend behind the lockout, so every
password check (the sign-in page, the admin's sign-in, re-authentication) is refused
for a locked-out (username, address) pair and counts its failures."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from threadline.audit.services import client_ip

from . import services


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if services.is_locked_out(username=username, ip=client_ip(request)):
            raise PermissionDenied  # stops authenticate() before any password is checked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.record_failed_attempt(username=username, request=request)
        return user

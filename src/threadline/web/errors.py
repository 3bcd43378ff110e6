"""The answer to a request that failed with an uncaught exception (Django's handler500).

A database that cannot be reached (restarting, failing over, out of connections) is not
a bug in the request: the answer is 503 with Retry-After, and under /api/ the JSON error
body with the stable code `database_unavailable`, so an agency system knows to send the
same request again (SECURITY.md: stopping PostgreSQL gives only 503s with a JSON code).
Anything else is Django's plain 500. Neither renders a template: the page's context
would read the database."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "Threadline cannot reach its database just now. Try again in a few seconds."


def server_error(request):
    error = sys.exc_info()[1]  # Django calls this while handling the exception
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    if request.path_info.startswith("/api/"):
        item = {"field": None, "code": "database_unavailable", "message": UNAVAILABLE}
        response = JsonResponse({**item, "errors": [item]}, status=503)
    else:
        response = HttpResponse(
            f"<!DOCTYPE html><title>Service unavailable</title><h1>{UNAVAILABLE}</h1>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

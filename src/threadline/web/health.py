"""Health check for load balancers and uptime monitors.

Public (monitors cannot sign in), so it says nothing about case data: only whether
this process can reach its database.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from threadline.sharing.routes import PUBLIC, requires

logger = logging.getLogger(__name__)


# PUBLIC applies login_not_required and declares the route for the authorization matrix.
@requires(PUBLIC)
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # Logged here rather than returned: the error text can name hosts and users.
        logger.exception("Health check: database unavailable")
        return JsonResponse(
            {"status": "unavailable", "database": "unavailable", "code": "database_unavailable"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})

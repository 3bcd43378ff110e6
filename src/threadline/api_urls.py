"""Version 1 of the API: each app contributes its routes from its own `api.py`."""

import base64
import hashlib
import re
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.urls import include, path, re_path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from threadline.common.api import not_found


def _docs_csp() -> dict:
    """Our policy, plus the one fixed `<style>` block in drf-spectacular's Swagger UI
    page (box-sizing and a background), allowed by its hash on this page only. Its
    scripts are files under 'self' (the sidecar's, and the split view's ?script), so no
    inline script, nonce or 'unsafe-eval' is needed. The hash is taken from the template
    itself, so an upgrade that changes the block cannot silently break the page."""
    template: Any = get_template(SpectacularSwaggerSplitView.template_name)
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in re.findall(r"<style>(.*?)</style>", template.template.source, re.DOTALL)
    ]
    policy: dict[str, Any] = dict(settings.SECURE_CSP)
    return {**policy, "style-src": [*policy["style-src"], *hashes]}


urlpatterns = [
    path("", include("threadline.people.api")),
    path("", include("threadline.agencies.api")),
    path("", include("threadline.cases.api")),
    path("", include("threadline.sharing.api")),
    path("", include("threadline.audit.api")),
    path("", include("threadline.notices.api")),
    path("", include("threadline.referrals.api")),
    path("", include("threadline.chronology.api")),
    path("", include("threadline.risks.api")),
    path("", include("threadline.orders.api")),
    path("", include("threadline.timescales.api")),
    path("", include("threadline.meetings.api")),
    path("", include("threadline.reviews.api")),
    path("", include("threadline.linkage.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from our own static files (drf-spectacular-sidecar), its start-up script
    # served by the same view at ?script, so the page needs no CDN and no inline script.
    path(
        "docs/",
        csp_override(_docs_csp())(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    # Last: an unknown API path is a JSON 404 like any other, not the HTML page.
    re_path(r"", not_found),
]

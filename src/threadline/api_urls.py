"""Version 1 of the API: each app contributes its routes from its own `api.py`."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from threadline.common.api import not_found

urlpatterns = [
    path("", include("threadline.people.api")),
    path("", include("threadline.agencies.api")),
    path("", include("threadline.cases.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: an unknown API path is a JSON 404 like any other, not the HTML page.
    re_path(r"", not_found),
]

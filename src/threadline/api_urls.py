"""Version 1 of the API: each app contributes its routes from its own `api.py`."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("threadline.people.api")),
    path("", include("threadline.agencies.api")),
    path("", include("threadline.cases.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

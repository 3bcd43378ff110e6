from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("threadline.web.urls")),
    path("", include("threadline.people.urls")),
    path("", include("threadline.cases.urls")),
    path("", include("threadline.sharing.urls")),
    path("", include("threadline.audit.urls")),
    path("", include("threadline.notices.urls")),
    path("", include("threadline.referrals.urls")),
    path("", include("threadline.chronology.urls")),
    path("", include("threadline.risks.urls")),
    path("", include("threadline.orders.urls")),
    path("", include("threadline.meetings.urls")),
    path("", include("threadline.reviews.urls")),
    path("", include("threadline.linkage.urls")),
    path("", include("threadline.timescales.urls")),
    path("api/v1/", include("threadline.api_urls")),
    path("admin/", admin.site.urls),
]

# A database that cannot be reached answers 503 `database_unavailable`, not a bare 500.
handler500 = "threadline.web.errors.server_error"

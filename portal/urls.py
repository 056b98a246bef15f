from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from portal import observability, views
from portal.dashboard import views as dashboard_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", observability.metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include("portal.api_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("work/", include("portal.workflow.urls")),
    path("notices/", include("portal.notices.urls")),
    path("projection/", include("portal.projection.urls")),
    path("services/", include("portal.catalogue.urls")),
    path("surveys/", include("portal.surveys.urls")),
    path("areas/", include("portal.areas.urls")),
    path("dashboard/", include("portal.dashboard.urls")),
    path("open-data/", dashboard_views.open_statistics, name="open_statistics"),
    path(
        "open-data/export.xlsx",
        dashboard_views.open_statistics_export,
        name="open_statistics_export",
    ),
    path("", include("residents.urls")),
    path("points/", include("points.urls")),
    path("housing/", include("housing.urls")),
    path("", include("schooling.urls")),
    path("employment/", include("employment.urls")),
    path("", views.home, name="home"),
]

handler403 = "portal.views.forbidden"
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

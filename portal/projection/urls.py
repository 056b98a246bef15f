from django.urls import path

from portal.projection import views

app_name = "projection"

urlpatterns = [
    path("", views.home, name="home"),
    path("base/rebuild/", views.rebuild_base, name="rebuild_base"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("compare/", views.compare, name="compare"),
    path("impact/new/", views.decision_new, name="decision_new"),
    path("impact/<int:pk>/", views.impact_report, name="impact"),
    path("report/", views.forecast_report, name="report"),
    path("warnings/", views.warnings_page, name="warnings"),
]

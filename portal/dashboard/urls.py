from django.urls import path

from portal.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_view, name="map"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<slug:code>/value/", views.indicator_value, name="indicator_value"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("export/<slug:table>.xlsx", views.export, name="export"),
]

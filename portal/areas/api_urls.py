from django.urls import path

from portal.areas import api

urlpatterns = [
    path("areas/", api.AreaListView.as_view(), name="api-area-list"),
    path("areas/<str:code>/", api.AreaDetailView.as_view(), name="api-area-detail"),
    path("addresses/", api.AddressListView.as_view(), name="api-address-list"),
    path("addresses/<int:pk>/", api.AddressDetailView.as_view(), name="api-address-detail"),
]

from django.urls import path

from housing import views

app_name = "housing"

urlpatterns = [
    path("homes/", views.homes, name="homes"),
    path("homes/new/", views.home_new, name="home_new"),
    path("homes/<int:pk>/", views.home, name="home"),
    path("tenancies/<int:pk>/end/", views.tenancy_end, name="tenancy_end"),
    path("tenancy/", views.my_tenancies, name="my_tenancies"),
    path("tenancy/<int:pk>/confirm/", views.tenancy_confirm, name="tenancy_confirm"),
    path("affordable/", views.guide, name="guide"),
    path("affordable/rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("affordable/rounds/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("affordable/applications/<int:pk>/", views.application, name="application"),
    path("affordable/applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("affordable/offers/", views.offers, name="offers"),
    path("review/homes/<int:case_id>/", views.review_home, name="review_home"),
    path("review/applications/<int:case_id>/", views.review_application, name="review_application"),
    path("review/rounds/", views.staff_rounds, name="staff_rounds"),
]

from django.urls import path

from schooling import views

app_name = "schooling"

urlpatterns = [
    path("school/", views.rounds, name="rounds"),
    path("school/rounds/<int:pk>/", views.round_detail, name="round"),
    path("school/rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("school/applications/<int:pk>/", views.application_detail, name="application"),
    path("school/applications/<int:pk>/materials/", views.material_add, name="material_add"),
    path("school/applications/<int:pk>/schools/", views.preferences, name="preferences"),
    path("school/applications/<int:pk>/check/", views.check, name="check"),
    path("school/applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("school/applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("school/materials/<int:pk>/", views.material_file, name="material_file"),
    path("school/materials/<int:pk>/remove/", views.material_remove, name="material_remove"),
    path("school/offers/", views.offers, name="offers"),
    path("school/offers/<int:pk>/answer/", views.offer_answer, name="offer_answer"),
    path("review/school/<int:case_id>/", views.review, name="review"),
    path("staff/school-rounds/", views.staff_rounds, name="staff_rounds"),
    path("staff/school-rounds/<int:pk>/", views.staff_round, name="staff_round"),
]

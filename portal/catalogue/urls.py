from django.urls import path

from portal.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("search/", views.search, name="search"),
    path("mine/", views.mine, name="mine"),
    path("rate/<int:case_pk>/", views.rate, name="rate"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/answer/", views.answer, name="answer"),
    path("ratings/", views.rating_statistics, name="rating_statistics"),
    path("<slug:code>/", views.guide, name="guide"),
]

from django.urls import path

from portal.areas import views

app_name = "areas"

urlpatterns = [
    path("picker/", views.picker, name="picker"),
]

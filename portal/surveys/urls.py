from django.urls import path

from portal.surveys import views

app_name = "surveys"

urlpatterns = [
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.new, name="new"),
    path("manage/<int:pk>/", views.detail, name="detail"),
    path("manage/<int:pk>/edit/", views.edit, name="edit"),
    path("manage/<int:pk>/questions/", views.add_question, name="add_question"),
    path(
        "manage/<int:pk>/questions/<int:question_pk>/remove/",
        views.remove_question,
        name="remove_question",
    ),
    path("manage/<int:pk>/publish/", views.publish, name="publish"),
    path("manage/<int:pk>/new-version/", views.version, name="new_version"),
    path("manage/<int:pk>/results/", views.results, name="results"),
    path("manage/<int:pk>/results.xlsx", views.export, name="export"),
    path("<int:pk>/", views.answer, name="answer"),
]

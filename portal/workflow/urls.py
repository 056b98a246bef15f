from django.urls import path

from portal.workflow import views

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("export.xlsx", views.workbench_export, name="workbench-export"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/<str:action>/", views.decide, name="case-decide"),
    path("mine/", views.my_cases, name="my-cases"),
    path("mine/<int:pk>/", views.my_case, name="my-case"),
]

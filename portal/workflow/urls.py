from django.urls import path

from portal.workflow import views

app_name = "workflow"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("export.xlsx", views.workbench_export, name="workbench_export"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/<str:action>/", views.decide, name="case_decide"),
    path("mine/", views.my_cases, name="my_cases"),
    path("mine/<int:pk>/", views.my_case, name="my_case"),
]

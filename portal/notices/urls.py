from django.urls import path

from portal.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("read-all/", views.read_all, name="read_all"),
    path("policy/<int:pk>/", views.policy_notice, name="policy_notice"),
    path("policy/<int:pk>/dismiss/", views.policy_notice_dismiss, name="policy_notice_dismiss"),
    path("preferences/", views.preferences, name="preferences"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/preview/", views.policy_preview, name="policy_preview"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/publish/", views.policy_publish, name="policy_publish"),
    path("policies/<int:pk>/withdraw/", views.policy_withdraw, name="policy_withdraw"),
]

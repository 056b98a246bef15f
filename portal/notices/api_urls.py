from django.urls import path

from portal.notices import api

urlpatterns = [
    path("notices/inbox/", api.InboxView.as_view(), name="api-notice-inbox"),
    path(
        "notices/policy-notices/<int:pk>/open/",
        api.PolicyNoticeOpenView.as_view(),
        name="api-policy-notice-open",
    ),
    path(
        "notices/policy-notices/<int:pk>/dismiss/",
        api.PolicyNoticeDismissView.as_view(),
        name="api-policy-notice-dismiss",
    ),
    path("notices/preferences/", api.PreferencesView.as_view(), name="api-notice-preferences"),
    path("notices/criteria/", api.CriteriaView.as_view(), name="api-notice-criteria"),
    path("notices/policies/", api.PolicyListView.as_view(), name="api-policy-list"),
    path("notices/policies/audience/", api.AudienceView.as_view(), name="api-policy-audience"),
    path("notices/policies/<int:pk>/", api.PolicyDetailView.as_view(), name="api-policy-detail"),
    path(
        "notices/policies/<int:pk>/publish/", api.PublishView.as_view(), name="api-policy-publish"
    ),
    path(
        "notices/policies/<int:pk>/withdraw/",
        api.WithdrawView.as_view(),
        name="api-policy-withdraw",
    ),
]

"""Page URLs are reversed by namespace (`workflow:case_detail`), on the same paths as always."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from portal.accounts import views as account_views

NAMESPACED_PATHS = [
    ("workflow:workbench", [], "/work/"),
    ("workflow:workbench_export", [], "/work/export.xlsx"),
    ("workflow:case_detail", [7], "/work/cases/7/"),
    ("workflow:case_decide", [7, "approve"], "/work/cases/7/approve/"),
    ("workflow:my_cases", [], "/work/mine/"),
    ("workflow:my_case", [7], "/work/mine/7/"),
    ("accounts:password_reset", [], "/accounts/password/reset/"),
    ("accounts:password_reset_code", [], "/accounts/password/reset/confirm/"),
    ("accounts:password_reset_complete", [], "/accounts/password/reset/complete/"),
]

# Un-namespaced names that are not the portal's own pages: the portal's root pages, the API
# (named "api-..."), and the names of the libraries it includes (allauth, Django's i18n).
ROOT_NAMES = {
    "healthz",
    "metrics",
    "javascript-catalog",
    "schema",
    "api-docs",
    "open_statistics",
    "open_statistics_export",
    "home",
}


@pytest.mark.parametrize(("name", "args", "path"), NAMESPACED_PATHS)
def test_namespaced_name_reverses_to_its_path(name, args, path):
    assert reverse(name, args=args) == path
    assert resolve(path).view_name == name


@pytest.mark.parametrize(
    ("old_name", "args"),
    [
        ("workbench", []),
        ("workbench-export", []),
        ("case-detail", [7]),
        ("case-decide", [7, "approve"]),
        ("my-cases", []),
        ("my-case", [7]),
    ],
)
def test_old_workflow_name_no_longer_reverses(old_name, args):
    with pytest.raises(NoReverseMatch):
        reverse(old_name, args=args)


@pytest.mark.parametrize(
    ("allauth_name", "view"),
    [
        ("account_reset_password", account_views.password_reset),
        ("account_confirm_password_reset_code", account_views.password_reset_confirm_code),
        ("account_complete_password_reset", account_views.password_reset_complete),
    ],
)
def test_allauths_reset_names_reach_the_portals_sms_reset(allauth_name, view):
    # allauth reverses its own names in its redirects and templates: they must land on the
    # portal's SMS reset, which shadows allauth's pages by being included first on the same path.
    assert resolve(reverse(allauth_name)).func is view


def _named_patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _named_patterns(
                pattern, f"{namespace}:{inner}" if namespace and inner else namespace or inner
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace, pattern.name, pattern.lookup_str


def test_every_page_of_the_portal_is_namespaced():
    unnamespaced = [
        (name, lookup)
        for namespace, name, lookup in _named_patterns(get_resolver())
        if not namespace
        and name not in ROOT_NAMES
        and not name.startswith("api-")
        and not lookup.startswith(("allauth.", "django."))
    ]

    assert unnamespaced == []

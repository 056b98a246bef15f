"""No module reaches into a third party's private names: they change without notice in a patch
release (allauth 65.22 removed two `_Verify...View` classes a view here imported)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {
    "portal",
    "residents",
    "points",
    "housing",
    "schooling",
    "employment",
    "load",
    "tests",
}
# Django documents these underscore names as public API (the Model _meta API, managers).
DOCUMENTED = {"_meta", "_default_manager", "_base_manager"}
# The standard library documents these as public API: os._exit ends a forked child at once.
DOCUMENTED_IN = {("os", "_exit")}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_third_party(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] not in PROJECT_PACKAGES


def private_uses(source: str, filename: str = "<source>") -> list[str]:
    """Each place where `source` imports or reads a private name of a third-party module."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    third_party_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_third_party(alias.name):
                    continue
                if any(_is_private(part) for part in alias.name.split(".")):
                    found.append(f"{filename}:{node.lineno} import {alias.name}")
                third_party_names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if not _is_third_party(node.module):
                continue
            if any(_is_private(part) for part in node.module.split(".")):
                found.append(f"{filename}:{node.lineno} from {node.module}")
            for alias in node.names:
                if _is_private(alias.name) and alias.name not in DOCUMENTED:
                    found.append(f"{filename}:{node.lineno} {node.module}.{alias.name}")
                third_party_names.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in third_party_names
            and _is_private(node.attr)
            and node.attr not in DOCUMENTED
            and (node.value.id, node.attr) not in DOCUMENTED_IN
        ):
            found.append(f"{filename}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def project_modules() -> list[Path]:
    return [
        *sorted(
            path
            for package in PROJECT_PACKAGES
            if (ROOT / package).is_dir()
            for path in (ROOT / package).rglob("*.py")
            if "migrations" not in path.parts
        ),
        ROOT / "manage.py",
    ]


def test_no_project_or_test_module_uses_a_third_party_private_name():
    found = [
        use
        for path in project_modules()
        for use in private_uses(path.read_text(), str(path.relative_to(ROOT)))
    ]

    assert found == []


def test_the_check_finds_planted_private_imports():
    planted = (
        "from allauth.account.forms import _PrivateForm\n"
        "from allauth.account import views as account_views\n"
        "from drf_spectacular.plumbing import _load_enum_name_overrides as load\n"
        "import celery._state\n"
        "view = account_views._VerifyPhoneChangeView\n"
    )

    assert private_uses(planted) == [
        "<source>:1 allauth.account.forms._PrivateForm",
        "<source>:3 drf_spectacular.plumbing._load_enum_name_overrides",
        "<source>:4 import celery._state",
        "<source>:5 account_views._VerifyPhoneChangeView",
    ]


def test_the_projects_own_private_names_and_djangos_documented_ones_pass():
    source = (
        "from portal.workflow import services\n"
        "from django.contrib.auth.models import Group\n"
        "services._claim(1)\n"
        "table = Group._meta.db_table\n"
        "import os\n"
        "os._exit(1)\n"
    )

    assert private_uses(source) == []

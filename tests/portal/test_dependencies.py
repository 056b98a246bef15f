"""Every dependency pyproject declares is used, and the lock pins every one of them exactly."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib import metadata

from tests.portal.test_private_imports import PROJECT_PACKAGES, ROOT, project_modules

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = (ROOT / "requirements.lock").read_text()
# Where commands are run: a tool used there (ruff, lint-imports, gunicorn, uv) counts as used.
COMMAND_FILES = ["Makefile", ".ci/run", ".ci/upgrade-check", "portal/runner.py"]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def declared() -> list[str]:
    project = PYPROJECT["project"]
    return [_name(req) for req in project["dependencies"] + project["optional-dependencies"]["dev"]]


def imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in project_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # dotted paths in settings and elsewhere (middleware, backends); in settings also
                # the bare app names of INSTALLED_APPS
                dotted = r"([a-z_][a-z0-9_]*)(\.[A-Za-z_][A-Za-z0-9_]*)" + (
                    "*" if path.name.startswith("settings") else "+"
                )
                match = re.fullmatch(dotted, node.value)
                if match:
                    names.add(match.group(1))
    return names - PROJECT_PACKAGES


def _top_levels_of(distribution: str) -> set[str]:
    by_module = metadata.packages_distributions()
    return {
        module
        for module, owners in by_module.items()
        if distribution in {owner.lower().replace("_", "-") for owner in owners}
    }


def _commands_of(distribution: str) -> set[str]:
    entry_points = metadata.distribution(distribution).entry_points
    scripts = {ep.name for ep in entry_points if ep.group == "console_scripts"}
    return scripts | {distribution}


def _is_pytest_plugin(distribution: str) -> bool:
    """pytest loads it by itself (its fixtures and settings are what the suite uses)."""
    return any(ep.group == "pytest11" for ep in metadata.distribution(distribution).entry_points)


def test_every_declared_dependency_is_imported_or_run():
    imported = imported_top_levels()
    commands = "\n".join((ROOT / name).read_text() for name in COMMAND_FILES)
    unused = [
        name
        for name in declared()
        if not _top_levels_of(name) & imported
        and not any(re.search(rf"\b{re.escape(cmd)}\b", commands) for cmd in _commands_of(name))
        and not _is_pytest_plugin(name)
    ]

    assert unused == [], f"declared but never imported or run: {unused}"


def test_the_lock_pins_every_declared_dependency_with_hashes():
    pinned = {
        name.lower().replace("_", "-")
        for name in re.findall(r"^([A-Za-z0-9._-]+)==\S+ \\\n\s+--hash=sha256:", LOCK, re.M)
    }

    assert set(declared()) - pinned == set()

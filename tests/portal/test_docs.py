"""Code that cites a domain fact cites a section of the project's own docs/domain.md, and that
section exists: a reader can follow every citation without anything outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DOC = ROOT / "docs" / "domain.md"
SKIPPED_DIRS = {".venv", ".git", ".data", "node_modules", "static", "staticfiles", "__pycache__"}
CODE_SUFFIXES = {".py", ".html", ".txt", ".toml", ".cfg", ".sh"}
THIS_FILE = Path(__file__).resolve()

DOC_NAME = "docs/domain.md"
# A citation: the document's path, then the section's name in double quotes.
CITATION = re.compile(re.escape(DOC_NAME) + r'\s*(?:"([^"\n]+)")?')
# A trailing term in brackets is the users' own word for the topic, not part of its name.
TERM_IN_BRACKETS = re.compile(r"\s*\([^()]*\)\s*$")
BARE_NAME = "DOMAIN" + ".md"


def section_names(markdown: str) -> set[str]:
    """The names of a page's headings, each with and without its trailing term in brackets."""
    names: set[str] = set()
    for line in markdown.splitlines():
        if not line.startswith("#"):
            continue
        heading = line.lstrip("#").strip()
        names.add(heading)
        names.add(TERM_IN_BRACKETS.sub("", heading))
    return names


def bad_citations(source: str, sections: set[str], filename: str = "<source>") -> list[str]:
    """Each citation of docs/domain.md in `source` that names no section, or a missing one."""
    found = []
    for match in CITATION.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        section = match.group(1)
        if section is None:
            found.append(f"{filename}:{line} cites {DOC_NAME} without a section")
        elif section not in sections:
            found.append(f'{filename}:{line} cites missing section "{section}"')
    return found


def _files(suffixes: set[str]) -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS for part in relative.parts[:-1]):
            continue
        if path.is_file() and path.suffix in suffixes and path.resolve() != THIS_FILE:
            files.append(path)
    return files


def _citations_in_code() -> dict[Path, str]:
    return {
        path: text
        for path in _files(CODE_SUFFIXES)
        if DOC_NAME in (text := path.read_text(encoding="utf-8", errors="replace"))
    }


def test_checker_finds_missing_and_sectionless_citations():
    # given a page with two headings
    sections = section_names("# Facts\n\n## Working days\n\n## Points systems (积分)\n")
    # when code cites one that exists, one that does not, and none at all
    source = (
        'Rules (docs/domain.md "Points systems"): ...\n'
        'Windows (docs/domain.md "Holidays") ...\n'
        "See docs/domain.md for the rest.\n"
    )
    # then only the last two are reported, by line
    assert bad_citations(source, sections, "x.py") == [
        'x.py:2 cites missing section "Holidays"',
        "x.py:3 cites docs/domain.md without a section",
    ]
    assert {"Points systems", "Points systems (积分)", "Working days"} <= sections


def test_every_citation_in_the_code_names_an_existing_section():
    sections = section_names(DOMAIN_DOC.read_text(encoding="utf-8"))
    citing = _citations_in_code()
    assert len(citing) >= 5, "the domain facts are cited from the code"
    problems = [
        problem
        for path, text in sorted(citing.items())
        for problem in bad_citations(text, sections, str(path.relative_to(ROOT)))
    ]
    assert problems == []


def test_nothing_cites_a_domain_file_outside_the_repository():
    citing = [
        str(path.relative_to(ROOT))
        for path in _files(CODE_SUFFIXES | {".md"})
        if BARE_NAME in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert citing == []

"""axe-core (vendored in static/vendor/axe-core) run in the page: the accessibility check of the
browser tests. The script is loaded from the live server's static files, as the pages load theirs,
so the content security policy applies to it as to them."""

from __future__ import annotations

AXE_URL = "/static/vendor/axe-core/axe.min.js"


def violations(page) -> list[dict]:
    """axe's violations on the page as it stands: rule id, impact, and the offending elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    found = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
    return list(found)


def report(found: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"]) for v in found
    )

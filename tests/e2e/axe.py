"""axe-core's WCAG 2.1 A and AA checks, run in a Playwright page.

axe-core comes from contract/node_modules (pinned by contract/package-lock.json; `npm ci --prefix contract`).
Without it these checks are skipped outside CI and fail in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "contract" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TARGETS_SHOWN = 3


def _source() -> str:
    if not AXE_JS.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs axe-core for the accessibility checks: npm ci --prefix contract ({AXE_JS})")
        pytest.skip("axe-core is not installed (npm ci --prefix contract)")
    return AXE_JS.read_text(encoding="utf-8")


def violations(page, skip_rules: tuple[str, ...] = ()) -> list[dict]:
    """What axe finds against WCAG 2.1 A and AA on the page as it stands, leaving out `skip_rules`.

    Evaluated through the DevTools protocol rather than added as a <script>: the pages' own
    Content-Security-Policy would refuse a script it did not issue a nonce for.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA},
               "rules": {rule: {"enabled": False} for rule in skip_rules}}
    return page.evaluate(
        """async (options) => {
            const results = await window.axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        options,
    )


def describe(found: list[dict]) -> str:
    """One line per violation: its rule, impact, what it asks, and where (the first few elements)."""
    lines = []
    for violation in found:
        targets = [node["target"] for node in violation["nodes"]]
        more = f" and {len(targets) - TARGETS_SHOWN} more" if len(targets) > TARGETS_SHOWN else ""
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}: "
                     f"{', '.join(targets[:TARGETS_SHOWN])}{more}")
    return "\n".join(lines)


def assert_accessible(page, name: str, skip_rules: tuple[str, ...] = ()) -> None:
    """Fail with every WCAG 2.1 AA violation axe finds on `page` (called `name` in the message)."""
    found = violations(page, skip_rules)
    assert not found, f"{name}: {len(found)} accessibility violation(s)\n{describe(found)}"

"""Headless Chromium for the page tests (Debian's chromium, driven by Playwright; never
`playwright install`): one browser per test module, a fresh profile per test, every request to an
address other than the server's refused and recorded. Screenshots go to tests/artifacts/ (git-ignored),
and axe-core (vendored in tests/fixtures/axe/) checks each page's accessibility."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed and could not be "
    "installed here (bash scripts/ensure-system-deps installs it as root on Debian)",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class Browser:
    """One headless Chromium with a fresh profile; records page errors, dialogs, and any request to
    an address other than the server's (which it blocks)."""

    def __init__(
        self,
        playwright,
        profile: Path,
        server_url: str,
        width: int = 1400,
        height: int = 900,
        only_the_server: bool = True,
        bypass_csp: bool = False,
    ):
        # bypass_csp: only to inject axe-core (an inline script the pages' policy refuses) for its checks
        self.context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
            bypass_csp=bypass_csp,
            accept_downloads=True,
        )
        self.server_url = server_url
        self.problems: list[str] = []
        if only_the_server:
            self.context.route("**/*", self._only_the_server)

    def _only_the_server(self, route):
        if route.request.url.startswith(self.server_url + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.problems.append(f"request to {route.request.url}")
            route.abort()

    def open(self, path: str):
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(self.server_url + path)
        return page


AXE = Path(__file__).resolve().parent / "fixtures" / "axe" / "axe.min.js"
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
}"""


def accessibility_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the page (WCAG 2 A and AA and best practices) of these impacts."""
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in impacts]


def screenshot(page, name: str) -> Path:
    """A screenshot kept as a test artefact, in tests/artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(scope="module")
def playwright():
    """Playwright's driver (registered for the whole suite by tests/conftest.py)."""
    api = pytest.importorskip(
        "playwright.sync_api",
        reason="the Python package playwright is missing: pip install -e '.[test]' (bash scripts/test does it)",
    )
    with api.sync_playwright() as p:
        yield p

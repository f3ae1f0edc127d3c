"""Headless Chromium for the page tests (Debian's chromium, driven by Playwright; never
`playwright install`): one browser per test module, a fresh profile per test, every request to an
address other than the server's refused and recorded. Screenshots go to tests/artifacts/ (git-ignored),
and axe-core (vendored in tests/fixtures/axe/) checks each page's accessibility."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed and could not be "
                                    "installed here (bash scripts/ensure-system-deps installs it as root on Debian)")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


class Browser:
    """One headless Chromium with a fresh profile; records page errors, dialogs, and any request to
    an address other than the server's (which it blocks)."""

    def __init__(self, playwright, profile: Path, server_url: str, width: int = 1400, height: int = 900,
                 only_the_server: bool = True):
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height})
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


@pytest.fixture(scope="module")
def playwright():
    """Playwright's driver (registered for the whole suite by tests/conftest.py)."""
    api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is missing: "
                              "pip install -e '.[test]' (bash scripts/test does it)")
    with api.sync_playwright() as p:
        yield p

"""The web tests' own helpers (Page, the in-process `client`); their servers (`server`, `real_server`, `stand_in`, `listener`) are in
tests/web_servers.py, shared with tests/security."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from paradiplomacy.web.app import create_app
from paradiplomacy.web.pool import InlinePool


@pytest.fixture(scope="module")
def client(built):
    """Flask's test client on the app over the real graph (built once per session), its queries run in
    this process (InlinePool)."""
    config, _, _ = built
    pool = InlinePool(config)
    yield create_app(config, pool=pool).test_client()
    pool.close()


class Page(HTMLParser):
    """An HTML page as the tests read it: the ids of its elements, its links, its text (unescaped)."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag == "script":
            self.scripts.append(attrs.get("src") or attrs.get("type") or "inline")

    def handle_data(self, data):
        self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

"""Shared pytest fixtures. Keep them small and generic; feature-specific fixtures live with their tests."""

from __future__ import annotations

import pytest

from tests.mockserver.process import NewsWebProcess


@pytest.fixture(scope="session")
def news_web():
    """The fixture news web (tests/fixtures/web) served by `python -m tests.mockserver` in a subprocess.

    Attributes and methods: .site_a, .site_b, .forbidden (base URLs), .url(site, path),
    .requests(listener=None) (the server's request log), .reset() (clear the log).
    """
    with NewsWebProcess() as web:
        yield web

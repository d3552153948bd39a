"""Shared test set-up: every test gets its own learner home, so no test touches real progress."""

import pytest


@pytest.fixture(autouse=True)
def grimoire_home(tmp_path, monkeypatch):
    """A fresh GRIMOIRE_HOME per test."""
    home = tmp_path / "grimoire-home"
    monkeypatch.setenv("GRIMOIRE_HOME", str(home))
    return home

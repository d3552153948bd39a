"""Shared test set-up: every test gets its own learner home, so no test touches real progress."""

import os

import pytest
from hypothesis import settings

# On CI the property tests draw the same examples every run, so a landing never hinges on
# luck; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def grimoire_home(tmp_path, monkeypatch):
    """A fresh GRIMOIRE_HOME per test."""
    home = tmp_path / "grimoire-home"
    monkeypatch.setenv("GRIMOIRE_HOME", str(home))
    return home


def pytest_addoption(parser):
    parser.addoption("--monkey-keys", type=int, default=240,
                     help="keys the lesson monkey test presses across all lessons (CI: 240)")
    parser.addoption("--monkey-seed", type=int, default=12,
                     help="seed of the lesson monkey test's keys")

"""Each private Textual name the Grimoire relies on still exists (fails loudly on an upgrade)."""

from __future__ import annotations

import importlib

import pytest

from grimoire.ui.textual_private import PRIVATE_NAMES


@pytest.mark.parametrize(("module", "owner", "name"), PRIVATE_NAMES)
async def test_the_private_name_is_still_there(module: str, owner: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), owner)
    if hasattr(cls, name):
        return
    from textual.app import App

    # Instance attributes exist once the widget is made (inside an app).
    class Probe(App):
        def compose(self):
            yield cls()

    app = Probe()
    async with app.run_test():
        widget = app.query_one(cls)
        assert hasattr(widget, name), (
            f"Textual no longer has {owner}.{name}; grimoire/ui/textual_private.py uses it "
            "and must be changed for this Textual version.")

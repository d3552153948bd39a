"""The footer shows its keys in the first frame and is rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from grimoire.ui.app import GrimoireApp
from grimoire.ui.widgets.footer import KeyFooter


def footer_keys(app: App) -> list[FooterKey]:
    return list(app.screen.query_one(KeyFooter).query(FooterKey))


async def test_the_maps_footer_is_built_once() -> None:
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        first = footer_keys(app)  # no pause: the first frame
        assert "Open / continue" in [key.description for key in first]
        await pilot.press("v", "e", "down", "up", "backspace", "backspace")
        await pilot.pause()
        assert footer_keys(app) == first  # the very same widgets: never rebuilt


class Toggling(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", "Save")]
    saved = False

    def compose(self) -> ComposeResult:
        yield Input()
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return None if self.saved else True  # None: shown, but greyed out
        return True

    def action_save(self) -> None:
        self.saved = True
        self.refresh_bindings()


class ToggleApp(App):
    def on_mount(self) -> None:
        self.push_screen(Toggling())


async def test_the_footer_follows_a_key_that_changes() -> None:
    app = ToggleApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        [save] = [key for key in footer_keys(app) if key.description == "Save"]
        assert not save.has_class("-disabled")
        app.screen.action_save()
        await pilot.pause()
        await pilot.pause()
        [save] = [key for key in footer_keys(app) if key.description == "Save"]
        assert save.has_class("-disabled")


async def test_the_footers_keys_are_styled_once(monkeypatch) -> None:
    # Each key is given the footer's look as it is built, so no key is restyled before the
    # first frame; the look itself is Textual's (the palette's key stays compact).
    restyled: list[object] = []
    update_styles = App.update_styles

    def noting(self, node=None, animate=True):
        if isinstance(node, FooterKey):
            restyled.append(node)
        return update_styles(self, node, animate=animate)

    monkeypatch.setattr(App, "update_styles", noting)
    app = GrimoireApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        keys = footer_keys(app)
        assert restyled == []
        compact = {key.description: key.has_class("-compact") for key in keys}
        assert compact.pop("palette") is True  # the palette's key, drawn compact by Textual
        assert set(compact.values()) == {False}

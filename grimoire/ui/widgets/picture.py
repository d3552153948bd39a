"""The base of every picture of numbers: draws to its width, redraws on resize and theme change.

A display from a lesson cell arrives as a plain dict (see grimoire.course.display); a subclass
turns it into lines of styled text for a given width and theme in `draw`. Lines are cached per
(width, theme), so scrolling past a picture costs nothing and a resize or a theme switch redraws
it exactly once.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget

from grimoire.course.controls import visible_json
from grimoire.ui.plain import plain
from grimoire.ui.widgets.palette import ThemeColours, theme_colours


class Picture(Widget):
    """A display dict drawn as text; subclasses implement `draw(width, colours)`."""

    DEFAULT_CSS = """
    Picture {
        height: auto;
        width: 1fr;
        border: round $foreground 25%;
        border-title-color: $text-muted;
        border-title-style: italic;
        padding: 0 1;
        margin: 0 0 1 0;
    }
    """

    def __init__(
        self,
        display: dict[str, Any],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        # Cell output arrives with its control characters made visible; a display made in the
        # app itself (the playground) is treated the same, so no picture can drive the terminal.
        self.display_data: dict[str, Any] = visible_json(display)
        self._lines: dict[tuple[object, ...], list[Text]] = {}
        title = display.get("title")
        if title:
            self.border_title = plain(title)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)

    def _on_theme_changed(self, _theme: object) -> None:
        self._lines.clear()
        self.refresh(layout=True)

    def update_display(self, display: dict[str, Any]) -> None:
        """Show new data in the same widget (the playground redraws in place as it computes)."""
        self.display_data = visible_json(display)
        self._lines.clear()
        title = display.get("title")
        self.border_title = plain(title) if title else None
        self.refresh(layout=True)

    def state_key(self) -> object:
        """Anything besides width and theme that changes the drawing (e.g. a cursor)."""
        return None

    def draw(self, width: int, colours: ThemeColours) -> list[Text]:
        """The picture's lines for this width; subclasses override."""
        raise NotImplementedError

    def lines_for(self, width: int) -> list[Text]:
        """The cached lines for `width` in the current theme."""
        width = max(1, width)
        try:
            app = self.app
        except Exception:  # noqa: BLE001 - no app while measured outside one
            app = None
        key = (width, app.theme if app else "", bool(app and app.current_theme.dark),
               self.state_key())
        lines = self._lines.get(key)
        if lines is None:
            lines = self.draw(width, theme_colours(app))
            for line in lines:
                # Never wrap a picture's line: a wrapped row of cells is no longer a picture.
                line.truncate(width, overflow="crop")
            self._lines[key] = lines
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines_for(width)))

    def render(self) -> RenderResult:
        lines = self.lines_for(self.content_size.width)
        text = Text("\n", no_wrap=True, overflow="crop", end="").join(lines)
        text.no_wrap = True
        text.overflow = "crop"
        return text

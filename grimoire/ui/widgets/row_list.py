"""An option list whose every option is one row, so thousands of options lay out at once."""

from __future__ import annotations

from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import OptionList

from grimoire.ui.widgets.paging import PagesWhenLaidOut


class RowList(PagesWhenLaidOut, OptionList):
    """Textual's OptionList for options that are never wrapped: each one row high.

    OptionList measures every option's height (drawing each prompt) whenever options are added,
    which for a page's outline of thousands of symbols or five hundred lessons takes seconds.
    Here a row is a row: only the rows on screen are ever drawn. Prompts must be one line of
    text (they are cut with an ellipsis, never wrapped).
    """

    DEFAULT_CSS = """
    RowList {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def _update_lines(self) -> None:
        if not self.scrollable_content_region:
            return
        line_cache = self._line_cache
        lines = line_cache.lines
        start = lines[-1][0] + 1 if lines else 0
        for index in range(start, len(self.options)):
            line_cache.index_to_line[index] = len(lines)
            line_cache.heights[index] = 1
            lines.append((index, 0))
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        virtual_size = Size(width, len(lines))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.options)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def _on_resize(self, event: events.Resize) -> None:
        # OptionList forgets every drawn row on a resize, as rows are drawn to the width. The
        # first Resize comes after the first frame, already drawn at this very width: drawing
        # it all again would be a frame for nothing.
        if self.scrollable_content_region.width == getattr(self, "_drawn_width", None):
            event.prevent_default()

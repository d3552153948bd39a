"""Page Up and Page Down in an option list, safe in the moment before the list is laid out."""

from __future__ import annotations


class PagesWhenLaidOut:
    """Mix into an OptionList (or a SelectionList): a page key before the first layout waits.

    Textual's OptionList measures its lines when it is first laid out, and a page move looks up
    the highlighted option's line. A learner who presses Page Down as a quiz appears (the list
    mounted and focused, its first frame not yet drawn) would find no line there, and the app
    stopped on a KeyError. Before the list has a size there is no page to move by, so the key
    does nothing; once it is drawn, paging works as Textual's does.
    """

    def action_page_down(self) -> None:
        if self.scrollable_content_region:  # type: ignore[attr-defined]
            super().action_page_down()  # type: ignore[misc]

    def action_page_up(self) -> None:
        if self.scrollable_content_region:  # type: ignore[attr-defined]
            super().action_page_up()  # type: ignore[misc]

"""The map of lessons, the Grimoire's home: every lesson in order, how far the learner got, and
"continue where you left off" one Enter away.

Typing filters the list (by id, title or summary); up and down choose; Enter opens. The map
reads lesson metadata only (no numpy; kept between launches by `lesson_cache.cached_summaries`)
before its first frame, so the Grimoire opens on the whole list, and is where the lesson kernel
is started in the background, so it is warm by the time a lesson opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from grimoire.ui.kernel_client import kernel_client
from grimoire.ui.messages import OpenRoom
from grimoire.ui.plain import plain
from grimoire.ui.textual_private import KeysFirst
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.row_list import RowList

if TYPE_CHECKING:
    from grimoire.course.progress import ProgressStore
    from grimoire.course.summary import LessonSummary

NARROW = 90
"""Below this many columns the map shows the list alone."""


@dataclass
class LessonState:
    """A lesson as the map shows it: its summary and how far the learner got."""

    summary: LessonSummary
    fraction: float
    opened: bool
    step: int

    @property
    def done(self) -> bool:
        return self.fraction >= 1.0

    @property
    def label(self) -> str:
        if self.done:
            return "done"
        if self.opened or self.fraction > 0:
            return f"{round(self.fraction * 100)} %"
        return "not started"

    @property
    def mark(self) -> str:
        if self.done:
            return "●"
        if self.opened or self.fraction > 0:
            return "◐"
        return "○"


def lesson_states(summaries: list[LessonSummary], store: ProgressStore) -> list[LessonState]:
    """Each lesson with the learner's progress in it."""
    states = []
    for summary in summaries:
        progress = store.lesson(summary.id)
        states.append(LessonState(
            summary=summary,
            fraction=store.fraction_done(summary.id, summary.n_steps),
            opened=progress.opened > 0,
            step=progress.position[0],
        ))
    return states


class FilterInput(KeysFirst, Input):
    """The filter field; up/down/enter act on the list below, so the hands never leave the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.move(1)", "Next lesson", show=False),
        Binding("up", "screen.move(-1)", "Previous lesson", show=False),
        Binding("pagedown", "screen.move(5)", show=False),
        Binding("pageup", "screen.move(-5)", show=False),
    ]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # '?' opens the help everywhere, here too; no lesson needs it to be found.
        return character != "?" and super().check_consume_key(key, character)

    async def key_first(self, event: events.Key) -> bool:
        # '?' is not typed: it goes on to the app's help binding.
        return event.character == "?"


class LessonList(RowList):
    """The list of lessons; it tells the map when its width changes, as the rows are laid out to it."""

    def on_resize(self) -> None:
        screen = self.screen
        if isinstance(screen, MapScreen):
            screen.list_resized(self.size.width)


class ReviewLine(Static):
    """"review — N due" on the map; a click opens the review room."""

    due = 0

    def on_click(self) -> None:
        self.post_message(OpenRoom("review"))


class MapScreen(Screen[None]):
    """Every lesson, its state, prerequisites and minutes; Enter continues or opens."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the map of lessons"
    CSS_PATH = "../map.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "The map"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open / continue", priority=True),
        Binding("up", "move(-1)", "Previous lesson", show=False),
        Binding("down", "move(1)", "Next lesson", show=False),
        Binding("ctrl+g", "room('playground')", "Playground"),
        Binding("ctrl+n", "room('scratchpad')", "Scratchpad"),
        Binding("ctrl+l", "room('training')", "Train"),
        Binding("ctrl+r", "room('review')", "Review"),
        Binding("ctrl+o", "app.show_source", "Spellbook"),
        Binding("ctrl+d", "forget", "Forget the lesson's progress (asks)", show=False,
                priority=True),
        Binding("escape", "clear_filter", "Clear the filter", show=False),
    ]

    def __init__(self, lessons: Path | None = None) -> None:
        super().__init__()
        self.lessons_dir = lessons
        self.states: list[LessonState] = []
        self.shown: list[LessonState] = []
        self.store: ProgressStore | None = None
        self.loaded = False
        """The lessons and the progress have been read (before the first frame)."""
        self._rows_width = 0
        """The width the rows were laid out for (0: not yet)."""
        self._resumed = False
        self._detail_shown: LessonState | None = None
        """The lesson whose details are shown beside the list."""

    @classmethod
    def from_request(cls, request: Any) -> MapScreen:
        return cls(lessons=request.lessons)

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with Horizontal(id="map"):
            with Vertical(id="map-left"):
                yield Static(id="map-continue")
                yield ReviewLine(id="map-review")
                yield FilterInput(placeholder="⌕ type to filter the lessons", id="map-filter",
                                  compact=True)
                yield Static(id="map-header")
                yield LessonList(id="map-list")
            with Vertical(id="map-detail"):
                yield Static(id="map-detail-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#map-list", OptionList).can_focus = False
        self.query_one("#map-left", Vertical).border_title = "the map of lessons"
        self.query_one("#map-filter", Input).cursor_blink = False
        self.query_one("#map-filter", Input).focus()
        self.query_one("#map-detail").display = self.app.size.width >= NARROW
        self.query_one("#map-review").display = False
        # Read before the first frame: the learner's first sight is the whole map (the cache
        # makes this a few stat calls and one small JSON file).
        self.states, self.store = self._read()
        self.loaded = True
        self._show()
        if self.store.warning:
            self.notify(self.store.warning, severity="warning", timeout=10)
        kernel_client(self.app).start_soon()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.reload())

    def on_unmount(self) -> None:
        # The map is the bottom of the stack: it leaves only when the app closes.
        kernel_client(self.app).close()

    def on_screen_resume(self) -> None:
        # Back from a lesson: its progress changed, and the highlight goes where the banner
        # says Enter goes (the next lesson once one is finished). (The first resume is the
        # map's first showing, just read in on_mount.)
        if self._resumed:
            self.reload(follow_progress=True)
        self._resumed = True

    # -- the list ----------------------------------------------------------------------------

    def _read(self) -> tuple[list[LessonState], ProgressStore]:
        from grimoire.course.progress import ProgressStore
        from grimoire.ui.lesson_cache import cached_summaries

        store = ProgressStore()
        return lesson_states(cached_summaries(self.lessons_dir), store), store

    def reload(self, follow_progress: bool = False) -> None:
        """Read the lessons and the progress again and redraw.

        With `follow_progress`, the highlight moves to the lesson to continue (unless the
        learner is filtering); otherwise it stays on the lesson it was on.
        """
        if not self.loaded:
            return  # not mounted yet: on_mount reads them
        self.states, self.store = self._read()
        if follow_progress:
            # The banner names the lesson Enter opens: a filter that hides it is cleared.
            field = self.query_one("#map-filter", Input)
            state = self.continue_state()
            if field.value and state is not None and not self._matches(state, field.value):
                field.value = ""
        self._show(keep=not follow_progress)

    @staticmethod
    def _matches(state: LessonState, text: str) -> bool:
        """Whether the filter `text` shows this lesson (every word in its id, title or summary)."""
        summary = state.summary
        haystack = f"{summary.id} {summary.title} {summary.summary}".lower()
        return all(word in haystack for word in text.lower().split())

    def _show(self, keep: bool = True) -> None:
        self._show_continue()
        # The review deck reads the finished lessons whole: after the frame, in a thread.
        self.call_after_refresh(partial(
            self.run_worker, self._count_review, thread=True, group="map-review",
            exclusive=True, exit_on_error=False))
        self._filter(self.query_one("#map-filter", Input).value, keep=keep)

    def _count_review(self) -> None:
        from grimoire.course.review import build_deck, now
        from grimoire.ui.lesson_cache import read_lesson

        if self.store is None:
            return
        deck = build_deck([state.summary for state in self.states], self.store,
                          lambda lesson_id: read_lesson(lesson_id, self.lessons_dir))
        when = now()
        due = len(deck.due(when))
        upcoming = deck.next_due()
        wait = upcoming - when.timestamp() if upcoming is not None else None
        self.app.call_from_thread(self._show_review, len(deck.cards), due, wait)

    def _show_review(self, cards: int, due: int, wait: float | None = None) -> None:
        """The review line: how many cards are due (hidden while the deck is empty)."""
        if not self.is_attached:
            return
        line = self.query_one("#map-review", ReviewLine)
        if not cards and not line.display:
            return  # nothing to review and nothing shown: no frame to draw again
        line.display = cards > 0
        # The line sits right under the banner, so the list keeps its rows on a small screen.
        self.query_one("#map-continue").set_class(cards > 0, "-above-review")
        text = Text()
        text.append("✦ review", style="bold")
        if due:
            text.append(f" — {due} due")
        else:
            from grimoire.course.review import in_words

            later = f"; the next {in_words(wait)}" if wait is not None and wait > 0 else ""
            text.append(f" — nothing due{later}")
        text.append("   ctrl+r", style="dim")
        line.due = due
        line.update(text)

    def continue_state(self) -> LessonState | None:
        """The lesson to continue: the last one opened if unfinished, else the first not done."""
        last = self.store.last_lesson if self.store else None
        for state in self.states:
            if state.summary.id == last and not state.done:
                return state
        return next((state for state in self.states if not state.done), None)

    def _show_continue(self) -> None:
        banner = self.query_one("#map-continue", Static)
        state = self.continue_state()
        text = Text()
        if not self.states:
            where = self.lessons_dir or "the Grimoire"
            text.append(f"No lessons found in {where}.", style="italic")
        elif state is None:
            text.append("✦ Every lesson is done. ", style="bold")
            text.append("Any of them can be opened again.")
        else:
            verb = "continue" if (state.opened or state.fraction > 0) else "begin"
            text.append(f"enter {verb}s  ", style="bold")
            text.append(f"{state.summary.number:02d} {state.summary.title}")
            if state.opened and state.summary.n_steps:
                text.append(f"  at step {state.step + 1} of {state.summary.n_steps}",
                            style="italic")
        banner.update(text)

    def _row(self, state: LessonState, width: int) -> Text:
        from grimoire.ui.widgets.palette import css_colour

        summary = state.summary
        row = Text(no_wrap=True, overflow="ellipsis")
        colour = css_colour(self.app, {"●": "text-success", "◐": "text-accent",
                                       "○": "text-muted"}[state.mark])
        row.append(f"{state.mark} ", style=colour)
        row.append(f"{summary.number:02d} ", style="dim")
        title_width = max(10, width - 26)
        title = summary.title if len(summary.title) <= title_width else (
            summary.title[: title_width - 1] + "…")
        row.append(title.ljust(title_width), style="bold" if not state.done else "")
        if state.done or not (state.opened or state.fraction > 0):
            row.append(state.label.rjust(12), style=colour)
        else:
            # In progress: a small gauge beside the percentage.
            filled = round(state.fraction * 5)
            row.append("  " + "▰" * filled, style=colour)
            row.append("▱" * (5 - filled), style=css_colour(self.app, "text-muted"))
            row.append(state.label.rjust(5), style=colour)
        row.append(f"{summary.minutes:>4} min", style="dim")
        return row

    def _filter(self, text: str, keep: bool = False) -> None:
        words = text.lower().split()
        option_list = self.query_one("#map-list", OptionList)
        previous = None
        if keep and option_list.highlighted is not None and option_list.highlighted < len(
                self.shown):
            previous = self.shown[option_list.highlighted].summary.id
        self.shown = [state for state in self.states if self._matches(state, text)]
        self._rows_width = option_list.size.width or self._expected_list_width()
        width = max(40, self._rows_width - 2)
        self.query_one("#map-header", Static).update(
            f"{'':2}{'#':<3}{'lesson':<{max(10, width - 26)}}{'state':>12}{'time':>8}")
        option_list.clear_options()
        option_list.add_options([Option(self._row(state, width), id=state.summary.id)
                                 for state in self.shown])
        if not self.shown:
            self._show_detail(None)
            return
        target = previous
        if target is None and not words:
            state = self.continue_state()
            target = state.summary.id if state else (self.store and self.store.last_lesson)
        index = next((i for i, s in enumerate(self.shown) if s.summary.id == target), 0)
        option_list.highlighted = index
        self._show_detail(self.shown[index])

    def _expected_list_width(self) -> int:
        # Before the first layout the list has no size yet; its width follows from the styles
        # in lessons.tcss (map padding 1+1, list box border and padding 2+2, detail 44 + 1).
        # Should it differ, list_resized lays the rows out again.
        width = self.app.size.width - 2 - 4
        return width - 45 if self.app.size.width >= NARROW else width

    def on_resize(self) -> None:
        # On a narrow terminal the list matters more than the details beside it.
        self.query_one("#map-detail").display = self.size.width >= NARROW

    def list_resized(self, width: int) -> None:
        """The list changed width: lay the rows out to it (only when it really changed)."""
        if self.loaded and width != self._rows_width:
            self._filter(self.query_one("#map-filter", Input).value, keep=True)

    @on(Input.Changed, "#map-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    @on(OptionList.OptionHighlighted, "#map-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index < len(self.shown):
            state = self.shown[event.option_index]
            if state is not self._detail_shown:  # _filter has often drawn it already
                self._show_detail(state)
            # After the frame: reading a whole lesson must not compete with drawing the map.
            self.call_after_refresh(partial(
                self.run_worker, partial(self._read_ahead, state.summary.id), thread=True,
                group="map-read-ahead", exclusive=True, exit_on_error=False))

    def _read_ahead(self, lesson_id: str) -> None:
        # The highlighted lesson is read now, so Enter opens it without waiting for the file.
        from grimoire.course.schema import LessonError
        from grimoire.ui.lesson_cache import read_lesson

        try:
            read_lesson(lesson_id, self.lessons_dir)
        except LessonError:
            pass  # opening it will say what is wrong

    @on(OptionList.OptionSelected, "#map-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.shown):
            self.open_lesson(self.shown[event.option_index].summary.id)

    def _show_detail(self, state: LessonState | None) -> None:
        detail = self.query_one("#map-detail-text", Static)
        box = self.query_one("#map-detail", Vertical)
        self._detail_shown = state
        if state is None:
            box.border_title = None
            detail.update(Text("No lesson matches the filter.", style="italic"))
            return
        summary = state.summary
        box.border_title = plain(f"{summary.number:02d} · {summary.id}")
        titles = {s.summary.id: s for s in self.states}
        text = Text()
        text.append(summary.title + "\n\n", style="bold")
        text.append(summary.summary + "\n\n")
        needs: list[Text] = []
        for required in summary.requires:
            other = titles.get(required)
            needs.append(Text(f"{required} (not found)", style="italic") if other is None
                         else Text(f"{other.mark} {other.summary.title}"))
        facts = [
            ("state", Text(f"{state.mark} {state.label}")),
            ("steps", Text(str(summary.n_steps))),
            ("minutes", Text(str(summary.minutes))),
        ]
        facts += [("needs" if n == 0 else "", need) for n, need in enumerate(needs)] or [
            ("needs", Text("nothing before it"))]
        # Plain aligned lines rather than a Rich table: the map's first paint stays light.
        for name, value in facts:
            text.append(f"{name:>9}  ", style="dim")
            text.append_text(value)
            text.append("\n")
        text.rstrip()
        detail.update(text)

    # -- actions -------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        option_list = self.query_one("#map-list", OptionList)
        if not self.shown:
            return
        current = option_list.highlighted or 0
        option_list.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def action_open(self) -> None:
        option_list = self.query_one("#map-list", OptionList)
        index = option_list.highlighted
        if index is None or index >= len(self.shown):
            self.notify("No lesson is chosen.", timeout=3)
            return
        self.open_lesson(self.shown[index].summary.id)

    def action_forget(self) -> None:
        """Forget everything done in the highlighted lesson, after asking."""
        from grimoire.ui.screens.confirm import Confirm

        index = self.query_one("#map-list", OptionList).highlighted
        if index is None or index >= len(self.shown):
            self.notify("No lesson is chosen.", timeout=3)
            return
        summary = self.shown[index].summary

        def forget(sure: bool | None) -> None:
            if sure and self.store is not None:
                self.store.forget(summary.id)
                self.reload()
                self.notify(f"“{summary.title}” is forgotten: it begins afresh.", timeout=4)

        self.app.push_screen(Confirm(f"Forget every answer, edit and hint of “{summary.title}”? "
                                     "It begins afresh.", yes="forget it"), forget)

    def action_room(self, name: str) -> None:
        self.post_message(OpenRoom(name))

    def action_clear_filter(self) -> None:
        self.query_one("#map-filter", Input).value = ""

    def open_lesson(self, lesson_id: str) -> None:
        """Open a lesson on top of the map (Escape in it comes back)."""
        self.post_message(OpenRoom("lesson", lesson=lesson_id, lessons=self.lessons_dir,
                                   trust=getattr(self.app, "trust", False)))

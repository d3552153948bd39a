"""The scratchpad: a free cell for the learner's own experiments, in the lesson kernel's namespace.

Whatever the last opened lesson defined is there, besides `np`, `la`, `model` and `show`.
ctrl+r runs the cell; what ran moves up into the log with its output, and the cell empties.
Up on the first line (down on the last) walks through the cells run before, kept across
sessions in the learner's data folder.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static

from grimoire.ui.kernel_client import kernel_client
from grimoire.ui.plain import plain_text
from grimoire.ui.widgets.code_cell import SPINNER, CellOutput
from grimoire.ui.widgets.code_editor import CodeEditor
from grimoire.ui.widgets.footer import KeyFooter


def load_history() -> list[str]:
    """The cells run before, oldest first ([] when none or unreadable)."""
    from grimoire.course.progress import scratchpad_history

    return scratchpad_history()


class HistoryEditor(CodeEditor):
    """The scratch cell: up on the first line and down on the last walk the history."""

    class Walk(Message):
        """Show an older (-1) or newer (+1) cell from the history."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    async def key_first(self, event: events.Key) -> bool:
        # The scratch cell is the whole page: Escape leaves the scratchpad at once.
        if event.key == "escape":
            event.stop()
            self.app.pop_screen()
            return True
        return await super().key_first(event)

    def action_cursor_up(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == 0:
            self.post_message(self.Walk(-1))
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if not select and self.cursor_location[0] == self.document.line_count - 1:
            self.post_message(self.Walk(1))
            return
        super().action_cursor_down(select)


class ScratchpadScreen(Screen[None]):
    """Free experiments in the kernel, with a log of what ran and its output."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the scratchpad"
    CSS_PATH = "../lessons.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "The scratchpad"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run"),
        Binding("ctrl+c", "interrupt", "Stop the running cell", priority=True),
        Binding("up", "walk(-1)", "Older cell (on the first line)", show=False),
        Binding("down", "walk(1)", "Newer cell (on the last line)", show=False),
        Binding("ctrl+l", "clear_log", "Clear the log"),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.history = load_history()
        self.position = len(self.history)
        self.draft = ""
        self.count = 0
        self.running = False
        self._spin = 0
        self._spinner: Timer | None = None

    @classmethod
    def from_request(cls, request: Any) -> ScratchpadScreen:
        return cls()

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with VerticalScroll(id="scratch-log"):
            yield Static(self._welcome(), id="scratch-welcome")
        with Vertical(id="scratch-input"):
            yield Static(id="scratch-status")
            yield HistoryEditor("", id="scratch-editor")
        yield KeyFooter()

    def _welcome(self) -> Text:
        client = kernel_client(self.app)
        text = Text()
        text.append("A page for your own spells. ", style="bold")
        text.append("np, la (scipy.linalg), model and show are at hand")
        if client.lesson_id:
            text.append(", and every name the lesson ")
            text.append(client.lesson_id, style="italic")
            text.append(" defined")
        text.append(". Try  show.heatmap(model.params['wte'][:16])")
        return text

    def on_mount(self) -> None:
        self.query_one("#scratch-log").border_title = "what ran"
        self._show_status()
        self.query_one("#scratch-editor", HistoryEditor).focus()

    def _show_status(self) -> None:
        text = Text()
        if self.running:
            text.append(SPINNER[self._spin % len(SPINNER)] + " running", style="bold")
            text.append("   ctrl+c stops it")
        else:
            text.append("your cell", style="bold")
            text.append("   ctrl+r runs · ↑ on the first line recalls older cells")
        self.query_one("#scratch-status", Static).update(text)

    def _tick(self) -> None:
        self._spin += 1
        self._show_status()

    def action_run(self) -> None:
        editor = self.query_one("#scratch-editor", HistoryEditor)
        code = editor.text
        if not code.strip() or self.running:
            return
        if not self.history or self.history[-1] != code:
            from grimoire.course.progress import remember_scratch_cell

            # Merged with what another Grimoire on this home may have run meanwhile.
            self.history = remember_scratch_cell(code)
        self.position = len(self.history)
        self.draft = ""
        editor.load_text("")
        self.run_worker(self._run(code), group="scratch")

    async def _run(self, code: str) -> None:
        self.count += 1
        number = self.count
        log = self.query_one("#scratch-log", VerticalScroll)
        entry = Vertical(classes="scratch-entry")
        echo = Static(Text.assemble((f"[{number}] ", "bold"), plain_text(code.rstrip("\n"))),
                      classes="scratch-code")
        output = CellOutput()
        await log.mount(entry)
        await entry.mount_all([echo, output])
        log.scroll_end(animate=False)
        self.running = True
        self._spinner = self.set_interval(0.1, self._tick)
        self._show_status()
        self.refresh_bindings()
        try:
            result = await kernel_client(self.app).run(code)
        finally:
            self.running = False
            if self._spinner is not None:
                self._spinner.stop()
                self._spinner = None
            self._show_status()
            self.refresh_bindings()
        output.show(result)
        self.call_after_refresh(log.scroll_end, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            return self.running
        return True

    def action_interrupt(self) -> None:
        kernel_client(self.app).interrupt()

    def on_history_editor_walk(self, event: HistoryEditor.Walk) -> None:
        self.action_walk(event.direction)

    def action_walk(self, direction: int) -> None:
        if not self.history:
            return
        editor = self.query_one("#scratch-editor", HistoryEditor)
        if self.position == len(self.history):
            self.draft = editor.text
        position = max(0, min(len(self.history), self.position + direction))
        if position == self.position:
            return
        self.position = position
        text = self.draft if position == len(self.history) else self.history[position]
        editor.load_text(text)
        # Older: the cursor on the first line, so another up goes further back; newer: the last.
        if direction < 0:
            editor.move_cursor((0, len(text.split("\n")[0])))
        else:
            editor.move_cursor(editor.document.end)

    def action_clear_log(self) -> None:
        log = self.query_one("#scratch-log", VerticalScroll)
        for entry in list(log.query(".scratch-entry")):
            entry.remove()

    def action_leave(self) -> None:
        self.app.pop_screen()

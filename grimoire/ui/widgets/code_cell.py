"""A lesson's code cell: an editor, a running indicator, and what the cell printed and showed.

The cell itself never talks to the kernel: the lesson screen runs it (ctrl+r) and hands the
result back with `show_result`, so the same widget serves lessons and the scratchpad.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from grimoire.ui.plain import plain_text
from grimoire.ui.widgets.code_editor import CodeEditor
from grimoire.ui.widgets.displays import display_widget

if TYPE_CHECKING:
    from grimoire.course.kernel import CellResult

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class CellOutput(Vertical):
    """Everything a run produced, in order: printed text, errors, the value, the pictures."""

    DEFAULT_CSS = """
    CellOutput { height: auto; padding: 0 0 0 2; }
    CellOutput > .cell-stdout { color: $text; }
    CellOutput > .cell-stderr { color: $text-warning; }
    CellOutput > .cell-value { color: $text-accent; }
    CellOutput > .cell-error {
        color: $text-error;
        background: $error 10%;
        padding: 0 1;
        border-left: outer $error;
    }
    CellOutput > .cell-note { color: $text-muted; text-style: italic; }
    CellOutput > Picture { margin: 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._waiting: CellResult | None = None

    def on_mount(self) -> None:
        if self._waiting is not None:
            self._draw(self._waiting)

    def show(self, result: CellResult) -> None:
        """Replace whatever was shown with this result (drawn once mounted, if not yet)."""
        if not self.is_mounted:
            self._waiting = result
            return
        self._draw(result)

    def _draw(self, result: CellResult) -> None:
        self._waiting = None
        self.remove_children()
        widgets = []
        if result.stdout:
            widgets.append(Static(plain_text(result.stdout.rstrip("\n")), classes="cell-stdout"))
        if result.stderr:
            widgets.append(Static(plain_text(result.stderr.rstrip("\n")), classes="cell-stderr"))
        if result.error:
            widgets.append(Static(plain_text(result.error.rstrip("\n")), classes="cell-error"))
        if result.restarted:
            widgets.append(Static("The kernel was restarted and the lesson's setup run again.",
                                  classes="cell-note"))
        if result.value is not None:
            widgets.append(Static(plain_text("⇒ " + result.value), classes="cell-value"))
        widgets.extend(display_widget(display) for display in result.displays)
        if widgets:
            self.mount_all(widgets)

    def clear(self) -> None:
        self._waiting = None
        if self.is_mounted:
            self.remove_children()


class CodeCell(Vertical):
    """An editable Python cell with its output below; `running` shows a spinner."""

    DEFAULT_CSS = """
    CodeCell { height: auto; margin: 0 0 1 0; }
    CodeCell > .cell-status { height: 1; color: $text-muted; padding: 0 1; }
    CodeCell.-running > .cell-status { color: $text-accent; }
    CodeCell.-failed > .cell-status { color: $text-error; }
    CodeCell:focus-within > .cell-status { background: $accent 25%; color: $text; }
    """

    running: reactive[bool] = reactive(False, init=False)
    """The kernel is computing this cell: a spinner turns in the status line."""

    def __init__(self, code: str, *, key: str, label: str, original: str | None = None,
                 timeout: float | None = None, read_only: bool = False,
                 run_word: str = "runs", id: str | None = None) -> None:
        super().__init__(id=id)
        self.key = key
        """Where the cell lives in its lesson ("step.block"), for progress and results."""
        self.label = label
        self.run_word = run_word
        """What ctrl+r does here, as the status line says it ("runs", "checks")."""
        # A block scalar's final newline would show as an empty last line in the editor.
        code = code.rstrip("\n")
        self.original = (code if original is None else original).rstrip("\n")
        self.timeout = timeout
        self.editor = CodeEditor(code, read_only=read_only)
        self.status = Static(classes="cell-status")
        self.output = CellOutput()
        self.result: CellResult | None = None
        self._spin = 0
        self._spinner: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self.status
        yield self.editor
        yield self.output

    def on_mount(self) -> None:
        self._show_status()

    @property
    def code(self) -> str:
        return self.editor.text

    @property
    def edited(self) -> bool:
        return self.editor.text != self.original

    def _show_status(self) -> None:
        text = Text()
        if self.running:
            text.append(SPINNER[self._spin % len(SPINNER)] + " running", style="bold")
            text.append("   ctrl+c stops it")
        else:
            text.append(self.label, style="bold")
            if self.result is not None and not self.result.ok:
                text.append("   ✗ " + (self.result.error_kind or "error"))
            elif self.result is not None:
                text.append("   ✓ ran")
            if self.edited:
                text.append("   (edited)")
            text.append(f"   ctrl+r {self.run_word}")
            if self.editor.has_focus:
                text.append("   ✎ typing here · tab indents · esc leaves the cell", style="bold")
        self.status.update(text)

    def set_running(self, running: bool) -> None:
        """Show (or stop showing) that the kernel is computing this cell."""
        self.running = running

    def watch_running(self, running: bool) -> None:
        self.set_class(running, "-running")
        if running:
            self.remove_class("-failed")
            if self._spinner is None:
                self._spinner = self.set_interval(0.1, self._tick)
        elif self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        self._show_status()

    def _tick(self) -> None:
        self._spin += 1
        self._show_status()

    def show_result(self, result: CellResult) -> None:
        """The run finished: show its output in place of the last one."""
        if result is self.result and not self.running:
            return
        self.result = result
        self.set_running(False)
        self.set_class(not result.ok, "-failed")
        self.output.show(result)
        self._show_status()

    def reset_code(self, code: str) -> None:
        """Put this code in the editor (the book's, after a reset) and forget the output."""
        self.editor.load_text(code.rstrip("\n"))
        self.original = code.rstrip("\n")
        self.result = None
        self.remove_class("-failed")
        self.output.clear()
        self._show_status()

    def on_descendant_focus(self) -> None:
        self._show_status()

    def on_descendant_blur(self) -> None:
        self._show_status()

    def on_text_area_changed(self) -> None:
        if not self.running:
            self._show_status()

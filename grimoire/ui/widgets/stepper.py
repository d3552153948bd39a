"""A small number field: type a value, or step it with the up and down arrows."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class Stepper(Input):
    """An Input holding a number between `low` and `high`; up/down add or take `step`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "nudge(1)", "Increase", show=False),
        Binding("down", "nudge(-1)", "Decrease", show=False),
    ]

    DEFAULT_CSS = """
    Stepper { width: 12; }
    """

    class Stepped(Message):
        """The number changed to a valid value."""

        def __init__(self, stepper: Stepper, value: float) -> None:
            super().__init__()
            self.stepper = stepper
            self.number = value

        @property
        def control(self) -> Stepper:
            return self.stepper

    def __init__(
        self,
        value: float,
        *,
        low: float,
        high: float,
        step: float,
        integer: bool = False,
        id: str | None = None,
        tooltip: str | None = None,
    ) -> None:
        self.low, self.high, self.step, self.integer = low, high, step, integer
        super().__init__(
            self._format(value),
            type="integer" if integer else "number",
            id=id,
            compact=True,
            select_on_focus=True,
        )
        if tooltip:
            self.tooltip = tooltip
        self.cursor_blink = False
        self.number = value

    def _format(self, value: float) -> str:
        return str(int(value)) if self.integer else f"{value:.2f}".rstrip("0").rstrip(".")

    def set_range(self, low: float, high: float) -> None:
        """New limits (e.g. the model's number of layers), clamping the value into them."""
        self.low, self.high = low, high
        self.set_number(self.number)

    def set_number(self, value: float) -> None:
        """Show and announce a value, clamped to the limits."""
        value = min(self.high, max(self.low, value))
        if self.integer:
            value = round(value)
        else:
            value = round(value, 2)
        self.number = value
        with self.prevent(Input.Changed):
            self.value = self._format(value)
        self.post_message(self.Stepped(self, value))

    def action_nudge(self, direction: int) -> None:
        self.set_number(self.number + direction * self.step)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        event.stop()
        try:
            value = float(event.value)
        except ValueError:
            return  # half-typed ("0.", "-"): wait for the rest
        if self.low <= value <= self.high:
            self.number = int(value) if self.integer else value
            self.post_message(self.Stepped(self, self.number))

    def on_blur(self) -> None:
        # Whatever was left half-typed or out of range snaps back to the last good value.
        with self.prevent(Input.Changed):
            self.value = self._format(self.number)

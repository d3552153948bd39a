"""The training room: watch the repeat model's induction circuit form, or teach the familiar a text.

Two tabs. **Watch a circuit form** trains the small repeat-task model from scratch (the recipe of
`grimoire train --task repeat`, with the learning rate chosen before starting) and draws, live,
the loss, every head's attention pattern on one fixed repeated sequence, and each head's
previous-token, induction and OV-positivity scores over the steps. **Teach the familiar your
text** fine-tunes a copy of the shipped model on a lesson, a page of the spellbook or words
typed here, with the bits per character on the held-out end of that text falling as it learns;
the playground then writes with the tuned copy until "the shipped familiar again" deletes it.

The training runs in a child process of its own (grimoire.course.training), so the interface
never waits on it: a timer collects the child's messages a few times a second and redraws.
The room is kept when the learner leaves it (Room.keep), so a run goes on while they visit the
playground, and they find it where they left it.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    Header,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from grimoire.course.controls import visible
from grimoire.ui.messages import OpenRoom
from grimoire.ui.plain import plain, plain_text
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.ladder import Ladder
from grimoire.ui.widgets.line_chart import LineChart
from grimoire.ui.widgets.palette import printable_text
from grimoire.ui.widgets.stepper import Stepper

if TYPE_CHECKING:
    from grimoire.course.training import TrainingProcess

LEARNING_RATES = [3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2]
"""The ladder of the learning-rate control; the repeat recipe's own rate is 3e-3."""
REPEAT_LR = 3e-3
REPEAT_STEPS = 800
WATCHED_LENGTH = 24
"""Characters of the fixed sequence whose attention patterns are drawn (3 rounds of 8)."""
HEADS_EVERY = 10
"""Steps between two readings of the heads."""
TUNING_STEPS = 100
CHART_HEIGHT = 5
DRAIN_SECONDS = 0.15
"""How often the child's messages are collected and drawn."""
OWN_WORDS = "your own words"

STARTER_TEXT = (
    "Type or paste here whatever the familiar should learn — at least a few hundred characters "
    "— or choose a lesson or a page of the spellbook above. The last fifth is held out: the "
    "familiar never trains on it, and its bits per character there tell whether it learned "
    "something that carries over, not just the lines it saw.\n"
)


class TrainingScreen(Screen[None]):
    """Train the repeat model from scratch and watch its heads; or fine-tune the familiar."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the training room"
    CSS_PATH = "../training.tcss"
    HELP_TITLE = "The training room"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "start", "Start / restart"),
        Binding("ctrl+s", "pause", "Pause / resume"),
        Binding("ctrl+c", "interrupt", "Stop the run", priority=True, show=False),
        Binding("ctrl+g", "playground", "Playground", show=False),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.process: TrainingProcess | None = None
        self.mode: str | None = None
        """The run in progress: "watch", "teach", or None."""
        self.paused = False
        self.total_steps = 0
        self.step = 0
        self.losses: list[float] = []
        self.head_names: list[str] = []
        self.head_steps: list[int] = []
        self.scores: dict[str, dict[str, list[float]]] = {}
        self.last_heads: dict[str, Any] | None = None
        self.held_out: list[tuple[int, float]] = []
        self.teach_losses: list[float] = []
        self.finished: dict[str, Any] | None = None
        self._dirty: set[str] = set()
        self.heads_drawn = 0
        """How many readings of the heads have been drawn (tests watch it change)."""
        self._sources: dict[str, str] = {}
        self._options: list[tuple[str | Text, str]] = []

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with TabbedContent(id="training-tabs", initial="watch"):
            with TabPane("Watch a circuit form", id="watch"), VerticalScroll(id="watch-body"):
                with Horizontal(classes="train-controls"):
                    yield Label("learning rate", classes="control-label")
                    yield Ladder(LEARNING_RATES, REPEAT_LR, id="lr",
                                 tooltip="left/right: the peak rate of the run")
                    yield Label("steps", classes="control-label")
                    yield Stepper(REPEAT_STEPS, low=50, high=5000, step=50, integer=True,
                                  id="watch-steps")
                    yield Button("Start", id="watch-start", compact=True, variant="primary")
                    yield Button("Pause", id="watch-pause", compact=True)
                    yield Button("Restart", id="watch-restart", compact=True)
                yield Static(self._watch_intro(), id="watch-status", classes="train-status")
                yield Horizontal(id="heads")
                with Horizontal(id="watch-charts"):
                    yield LineChart(self._chart([], "loss (nats)"), id="loss-chart")
                    yield LineChart(self._chart([], "induction"), id="induction-chart")
                    yield LineChart(self._chart([], "previous token"), id="previous-chart")
                    yield LineChart(self._chart([], "OV positivity"), id="ov-chart")
            with TabPane("Teach the familiar your text", id="teach"), Vertical(id="teach-body"):
                with Horizontal(classes="train-controls"):
                    yield Label("text", classes="control-label")
                    yield Select([(OWN_WORDS, OWN_WORDS)], value=OWN_WORDS,
                                 allow_blank=False, id="teach-source", compact=True)
                    yield Label("steps", classes="control-label")
                    yield Stepper(TUNING_STEPS, low=10, high=2000, step=10, integer=True,
                                  id="teach-steps")
                    yield Button("Teach", id="teach-start", compact=True, variant="primary")
                    yield Button("Stop", id="teach-stop", compact=True)
                    yield Button("Shipped familiar again", id="teach-reset", compact=True)
                    yield Button("Playground", id="teach-play", compact=True)
                yield Static("", id="teach-status", classes="train-status")
                with Horizontal(id="teach-panels"):
                    text = TextArea("", id="teach-text", soft_wrap=True, tab_behavior="focus",
                                    placeholder=STARTER_TEXT)
                    text.border_title = "what the familiar will learn"
                    text.cursor_blink = False
                    yield text
                    with VerticalScroll(id="teach-right"):
                        yield LineChart(self._chart([], "held-out bits per character"),
                                        id="bits-chart")
                        yield Static("", id="samples")
        yield KeyFooter()

    @staticmethod
    def _chart(series: list[list[float]], title: str, labels: list[str] | None = None,
               x: list[float] | None = None) -> dict[str, Any]:
        chart = {"kind": "line", "series": series, "labels": labels or [], "title": title,
                 "height": CHART_HEIGHT}
        if x:
            chart["x"] = x
        return chart

    def on_mount(self) -> None:
        self._sync_controls()
        self._fill_sources()
        self._show_teach_status()
        self.set_interval(DRAIN_SECONDS, self._drain)

    def _fill_sources(self) -> None:
        from grimoire.course.loader import lesson_summaries
        from grimoire.ui.sourcefiles import all_files

        options: list[tuple[str | Text, str]] = [(OWN_WORDS, OWN_WORDS)]
        lessons = getattr(self.app, "lessons_dir", None)
        for summary in lesson_summaries(lessons):
            key = f"lesson:{summary.path}"
            self._sources[key] = str(summary.path)
            # A title from a lesson folder is text, never markup (Select reads a str as markup).
            options.append((plain_text(f"lesson {summary.number:02d} · {summary.title}"), key))
        for entry in all_files():
            if entry.real.suffix == ".py":
                key = f"source:{entry.shown}"
                self._sources[key] = str(entry.real)
                options.append((entry.shown, key))
        self._options = options
        self.query_one("#teach-source", Select).set_options(options)
        self.query_one("#teach-source", Select).value = OWN_WORDS

    def _watch_intro(self) -> Text:
        return Text(
            "ctrl+r trains the repeat model from scratch: random strings of letters that repeat. "
            "Watch the loss fall when a head in layer 1 learns to look where the current letter "
            "came before, one place on (induction), helped by a head in layer 0 that looks one "
            "back (previous token).",
            style="italic",
        )

    # -- the child process ------------------------------------------------------------------

    def _child(self) -> TrainingProcess:
        if self.process is None or not self.process.alive:
            from grimoire.course.training import TrainingProcess

            if self.process is not None:
                self.process.close()
            self.process = TrainingProcess()
        return self.process

    def on_unmount(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None

    def _drain(self) -> None:
        if self.process is None:
            return
        for message in self.process.messages():
            self._take(message)
        self._redraw()

    def _take(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind == "started":
            self._begin(message)
        elif kind == "step" and self.mode is not None:
            self.step = int(message["step"])
            (self.losses if self.mode == "watch" else self.teach_losses).append(
                float(message["loss"]))
            self._dirty.add("status")
            self._dirty.add("loss" if self.mode == "watch" else "bits")
        elif kind == "heads":
            self._take_heads(message)
        elif kind == "held_out":
            self.held_out.append((int(message["step"]), float(message["bits"])))
            self._dirty.update({"bits", "status"})
        elif kind == "paused":
            self.paused = True
            self._dirty.add("status")
        elif kind == "resumed":
            self.paused = False
            self._dirty.add("status")
        elif kind == "done":
            self.finished = message
            self._end()
        elif kind == "stopped":
            self.finished = {"stopped": True, "mode": self.mode}
            self._end()
        elif kind == "error":
            self.notify(str(message.get("message")), title="The training stopped",
                        severity="error", markup=False)
            self._end()
        elif kind == "ended":
            if self.mode is not None:
                self.notify(str(message.get("message")), title="The training stopped",
                            severity="error", markup=False)
            self._end()
            self.process = None

    def _begin(self, message: dict[str, Any]) -> None:
        self.mode = str(message["mode"])
        self.paused = False
        self.finished = None
        self.total_steps = int(message["steps"])
        self.step = 0
        if self.mode == "watch":
            self.losses = []
            self.head_steps = []
            self.scores = {}
            self.last_heads = None
            self._dirty.update({"loss", "heads"})
        else:
            self.teach_losses = []
            self.held_out = []
            self.query_one("#samples", Static).update("")
            self._dirty.add("bits")
        self._dirty.add("status")
        self._sync_controls()

    def _end(self) -> None:
        ended = self.mode
        self.mode = None
        self.paused = False
        self._dirty.add("status")
        if ended == "teach":
            self._dirty.add("bits")
            if self.finished and "samples" in self.finished:
                self._show_samples(self.finished["samples"])
        self._sync_controls()

    def _take_heads(self, message: dict[str, Any]) -> None:
        self.last_heads = message
        self.head_steps.append(int(message["step"]))
        for head in message["heads"]:
            scores = self.scores.setdefault(head["name"], {
                "induction": [], "previous_token": [], "ov_positivity": []})
            for key in scores:
                scores[key].append(float(head[key]))
        self._dirty.add("heads")

    # -- drawing ----------------------------------------------------------------------------

    def _redraw(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if "heads" in dirty:
            self._draw_heads()
        if "loss" in dirty:
            self.query_one("#loss-chart", LineChart).update_display(
                self._chart([thin(self.losses)], "loss (nats)", ["batch loss"],
                            x=thin([float(n) for n in range(1, len(self.losses) + 1)])))
        if "bits" in dirty:
            self._draw_bits()
        if "status" in dirty:
            self._show_watch_status()
            self._show_teach_status()

    def _draw_heads(self) -> None:
        heads = self.last_heads
        box = self.query_one("#heads", Horizontal)
        if heads is None:
            for chart, title in (("induction", "induction"), ("previous", "previous token"),
                                 ("ov", "OV positivity")):
                self.query_one(f"#{chart}-chart", LineChart).update_display(
                    self._chart([], title))
            return
        text = heads["text"][:WATCHED_LENGTH]
        labels = list(text)
        maps = list(box.query(Heatmap))
        if len(maps) != len(heads["heads"]):
            box.remove_children()
            maps = [Heatmap({"kind": "heatmap", "values": []}, classes="head-map")
                    for _ in heads["heads"]]
            box.mount_all(maps)
        for heatmap, head in zip(maps, heads["heads"], strict=True):
            pattern = [row[:WATCHED_LENGTH] for row in head["pattern"][:WATCHED_LENGTH]]
            heatmap.update_display({
                "kind": "heatmap", "values": pattern, "rows": labels, "cols": labels,
                "title": (f"{head['name']} ind {head['induction']:.2f} "
                          f"prev {head['previous_token']:.2f}"),
            })
        self.heads_drawn += 1
        names = list(self.scores)
        for chart, key, title in (("induction", "induction", "induction"),
                                  ("previous", "previous_token", "previous token"),
                                  ("ov", "ov_positivity", "OV positivity")):
            self.query_one(f"#{chart}-chart", LineChart).update_display(self._chart(
                [self.scores[name][key] for name in names], title, names,
                x=[float(n) for n in self.head_steps]))

    def _draw_bits(self) -> None:
        steps = [s for s, _ in self.held_out]
        series = [[b for _, b in self.held_out]]
        labels = ["held-out text"]
        if len(steps) > 1:
            # The batches trained on, in bits, averaged over the steps between two readings.
            trained = [math.nan]
            for before, after in pairwise(steps):
                batch = self.teach_losses[before:after]
                trained.append(sum(batch) / len(batch) / math.log(2) if batch else math.nan)
            series.append(trained)
            labels.append("batches learned from")
        self.query_one("#bits-chart", LineChart).update_display(
            self._chart(series, "bits per character", labels, x=[float(n) for n in steps]))

    def _show_samples(self, samples: dict[str, str]) -> None:
        text = Text()
        text.append("After the same prompt from the held-out text, at temperature 0.6:\n\n",
                    style="italic")
        text.append(printable_text(samples.get("prompt", "")), style="dim")
        text.append("\n\nthe shipped familiar: ", style="bold")
        text.append(printable_text(samples.get("shipped", "")))
        text.append("\n\nthe tuned familiar: ", style="bold")
        text.append(printable_text(samples.get("tuned", "")))
        self.query_one("#samples", Static).update(text)

    def _show_watch_status(self) -> None:
        status = self.query_one("#watch-status", Static)
        finished = self.finished if (self.finished or {}).get("mode") == "watch" else None
        if self.mode == "watch":
            state = "paused" if self.paused else "training"
            loss = f" · loss {self.losses[-1]:.3f}" if self.losses else ""
            status.update(Text(f"{state}: step {self.step}/{self.total_steps}{loss} · "
                               f"ctrl+s pauses, ctrl+c stops, ctrl+r starts afresh"))
        elif finished is not None and finished.get("stopped"):
            status.update(Text(f"stopped at step {self.step}. ctrl+r starts afresh."))
        elif finished is not None:
            status.update(Text(
                f"done: {finished['steps']} steps in {finished['seconds']:.1f} s; the loss of "
                f"the last 20 batches {finished['final_loss']:.3f} nats "
                f"(chance, 26 letters: {math.log(26):.2f}). ctrl+r trains again."))
        elif not self.losses:
            status.update(self._watch_intro())

    def _show_teach_status(self) -> None:
        status = self.query_one("#teach-status", Static)
        finished = self.finished if (self.finished or {}).get("mode") == "teach" else None
        from grimoire.course.training import tuned_model_path

        tuned = tuned_model_path().is_file()
        if self.mode == "teach":
            state = "paused" if self.paused else "learning"
            bits = f" · held-out {self.held_out[-1][1]:.3f} bits/char" if self.held_out else ""
            status.update(Text(f"{state}: step {self.step}/{self.total_steps}{bits}"))
        elif finished is not None and finished.get("stopped"):
            status.update(Text(f"stopped at step {self.step}; the tuned copy was not saved."))
        elif finished is not None:
            status.update(Text(
                f"learned in {finished['seconds']:.1f} s: held-out bits per character "
                f"{finished['before']:.3f} → {finished['after']:.3f}. The playground now writes "
                f"with the tuned familiar (ctrl+g opens it)."))
        elif tuned:
            status.update(Text("A tuned familiar exists: the playground writes with it until "
                               "\"Shipped familiar again\"."))
        else:
            status.update(Text("The familiar is as shipped. ctrl+r teaches it this text.",
                               style="italic"))

    def _sync_controls(self) -> None:
        self.query_one("#lr", Ladder).set_locked(self.mode == "watch")
        self.query_one("#watch-pause", Button).label = "Resume" if (
            self.paused and self.mode == "watch") else "Pause"
        self.query_one("#watch-start", Button).disabled = self.mode == "watch"
        self.query_one("#watch-pause", Button).disabled = self.mode != "watch"
        self.query_one("#teach-start", Button).disabled = self.mode == "teach"
        self.query_one("#teach-stop", Button).disabled = self.mode != "teach"
        self.query_one("#teach-reset", Button).disabled = self.mode == "teach"

    # -- the learner's actions --------------------------------------------------------------

    def _tab(self) -> str:
        return self.query_one("#training-tabs", TabbedContent).active or "watch"

    def action_start(self) -> None:
        if self._tab() == "teach":
            self.start_teaching()
        else:
            self.start_watching()

    def start_watching(self) -> None:
        """Train the repeat model from scratch (stopping any run in progress first)."""
        process = self._child()
        if self.mode is not None:
            process.stop()
        lr = self.query_one("#lr", Ladder).value
        steps = int(self.query_one("#watch-steps", Stepper).number)
        process.watch(lr=lr, steps=steps, every=HEADS_EVERY)
        self.mode = "watch"  # until the child confirms: no second start meanwhile
        self._sync_controls()

    def start_teaching(self) -> None:
        """Fine-tune a copy of the familiar on the text in the room."""
        from grimoire.course.training import tuned_model_path
        from grimoire.model.live_training import MIN_TUNING_CHARS

        text = self.query_one("#teach-text", TextArea).text
        if len(text) < MIN_TUNING_CHARS:
            self.notify(f"The text has {len(text)} characters; the familiar needs at least "
                        f"{MIN_TUNING_CHARS} to learn from some and be measured on the rest.",
                        title="Too short to learn from", severity="warning", markup=False)
            return
        process = self._child()
        if self.mode is not None:
            if self.mode == "watch":
                self.notify("The circuit run stops: the familiar learns one thing at a time.",
                            markup=False)
            process.stop()
        steps = int(self.query_one("#teach-steps", Stepper).number)
        process.teach(text, steps=steps, out=tuned_model_path())
        self.mode = "teach"
        self._sync_controls()

    def action_pause(self) -> None:
        if self.process is None or self.mode is None:
            return
        if self.paused:
            self.process.resume()
        else:
            self.process.pause()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            # Only while a run is on; otherwise ctrl+c falls through (copy text).
            return self.mode is not None
        return True

    def action_interrupt(self) -> None:
        if self.process is not None:
            self.process.interrupt()

    def action_playground(self) -> None:
        self.post_message(OpenRoom("playground"))

    def action_leave(self) -> None:
        self.app.pop_screen()

    def reset_familiar(self) -> None:
        """Delete the tuned copy: the playground writes with the shipped weights again."""
        from grimoire.course.training import forget_tuned_model

        if forget_tuned_model():
            self.notify("The familiar is as shipped again; the tuned copy is gone.", markup=False)
        else:
            self.notify("The familiar is already as shipped.", markup=False)
        self.finished = None
        self._dirty.add("status")
        self._redraw()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button in ("watch-start", "watch-restart"):
            self.start_watching()
        elif button == "watch-pause":
            self.action_pause()
        elif button == "teach-start":
            self.start_teaching()
        elif button == "teach-stop":
            if self.process is not None and self.mode == "teach":
                self.process.stop()
        elif button == "teach-reset":
            self.reset_familiar()
        elif button == "teach-play":
            self.action_playground()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "teach-source" or event.value == OWN_WORDS:
            return
        path = self._sources.get(str(event.value))
        if path is None:
            return
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            self.notify(f"{path} cannot be read: {error}.", severity="error", markup=False)
            return
        self.query_one("#teach-text", TextArea).load_text(visible(text))
        label = next((shown for shown, key in self._options if key == event.value), path)
        self.query_one("#teach-text", TextArea).border_title = plain(
            f"what the familiar will learn: {label}")


def thin(values: list[float], most: int = 400) -> list[float]:
    """At most `most` points: neighbouring values averaged, so a long run draws quickly."""
    if len(values) <= most:
        return values
    group = math.ceil(len(values) / most)
    return [sum(values[i:i + group]) / len(values[i:i + group])
            for i in range(0, len(values), group)]

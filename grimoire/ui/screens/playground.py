"""The playground: the familiar live — it continues your words, and shows what it sees doing so.

Type a prompt; ctrl+r lets the model continue it, one character at a time as it is sampled
(temperature and top-k beside). Wherever the cursor stands in the prompt, the panels on the
right show the model's distribution over the next character there, and the embedding of the
character just before the cursor with its nearest neighbours by cosine similarity; below, the
attention pattern of the chosen layer and head over the last characters of the prompt. Once the
training room has taught the familiar a text, the playground writes with that tuned copy until it
is reset there; ctrl+f switches between the shipped and the tuned familiar.

The model runs in this process, in a thread worker, not in the lesson kernel: streaming needs
one character at a time, and the attention patterns and embeddings are arrays read directly
from the model, which a request/response kernel would have to serialise for every keystroke.
numpy is imported only when the playground first opens, never at start-up; one forward pass
over 128 characters takes milliseconds, and the GIL is released inside numpy's matrix
products, so the interface keeps repainting while the model thinks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Label, Static, TextArea
from textual.worker import get_current_worker

from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.palette import printable_text, readable_label, visible_characters
from grimoire.ui.widgets.stepper import Stepper

if TYPE_CHECKING:
    from grimoire.model.gpt import GPT

DEFAULT_PROMPT = "def attention_pattern(q, k):\n    return "
ATTENTION_WINDOW = 24
"""Characters of the prompt whose attention pattern is drawn (the last ones)."""
TOP_CHARACTERS = 10
NEAREST = 8
NARROW = 100
"""Below this many columns the playground is one column: the model's panels go below."""
MAX_NEW = 240
"""Characters the familiar writes per ctrl+r (escape stops it sooner)."""

WRITING_PACE = 0.012

_MODELS: dict[tuple[str, int], Any] = {}


def load_familiar(path: str | None) -> GPT:
    """The model (cached per path and file version); imports numpy on first use.

    A tuned copy is rewritten each time the training room teaches the familiar, so the cache
    keys on the file's modification time too.
    """
    key = (path or "", file_version(path))
    if key not in _MODELS:
        from grimoire.model import load_model

        _MODELS[key] = load_model(path)
    return _MODELS[key]


def file_version(path: str | None) -> int:
    """The modification time of a model file in nanoseconds (0 for the shipped one)."""
    try:
        return Path(path).stat().st_mtime_ns if path else 0
    except OSError:
        return 0


def tuned_familiar() -> str | None:
    """The path of the familiar tuned in the training room, if there is one."""
    from grimoire.course.training import tuned_model_path

    path = tuned_model_path()
    return str(path) if path.is_file() else None


@dataclass
class Reading:
    """What the model makes of the prompt at the cursor: plain lists, ready to draw."""

    before: str
    """The few characters before the cursor, for titles."""
    next_characters: list[tuple[str, float]]
    """The most likely next characters after the cursor, with their probabilities."""
    pattern: list[list[float]]
    """Attention pattern (query rows × key columns) over the last characters of the prompt."""
    pattern_labels: list[str]
    character: str | None
    """The character just before the cursor, whose embedding is shown."""
    token: int
    embedding: list[float]
    nearest: list[tuple[str, float]]
    """Characters whose embeddings point the most the same way, by cosine similarity."""


def read_prompt(model: GPT, prompt: str, cursor: int, layer: int, head: int) -> Reading:
    """Run the model over the prompt once and gather everything the panels show."""
    import numpy as np

    n_ctx = model.config.n_ctx
    text = prompt if prompt else "\n"
    cursor = max(1, min(len(text), cursor if prompt else 1))
    # The model reads at most n_ctx characters: keep a window that ends at the cursor or later.
    start = max(0, min(cursor - 1, len(text) - n_ctx))
    window = text[start : start + n_ctx]
    ids = model.encode(window)
    logits, trace = model.forward(ids, trace=True)
    position = cursor - 1 - start
    row = logits[position].astype(np.float64)
    probabilities = np.exp(row - row.max())
    probabilities /= probabilities.sum()
    order = np.argsort(-probabilities)[:TOP_CHARACTERS]
    vocab = model.tokenizer.vocab
    next_characters = [(vocab[int(i)], float(probabilities[i])) for i in order]

    pattern = trace[f"blocks.{layer}.attn.pattern"][head]
    last = min(ATTENTION_WINDOW, len(window))
    shown = pattern[-last:, -last:]
    labels = list(window[-last:])

    token = int(ids[position])
    embeddings = model.params["wte"].astype(np.float64)
    vector = embeddings[token]
    norms = np.linalg.norm(embeddings, axis=1) * (np.linalg.norm(vector) or 1.0)
    cosine = embeddings @ vector / np.where(norms == 0, 1.0, norms)
    cosine[token] = -np.inf  # a character is trivially nearest to itself
    cosine[0] = -np.inf  # the fallback token stands for no particular character
    nearest_ids = np.argsort(-cosine)[:NEAREST]
    return Reading(
        before=text[max(0, cursor - 12) : cursor],
        next_characters=next_characters,
        pattern=shown.astype(float).tolist(),
        pattern_labels=labels,
        character=vocab[token],
        token=token,
        embedding=vector.tolist(),
        nearest=[(vocab[int(i)], float(cosine[i])) for i in nearest_ids],
    )


class PlaygroundScreen(Screen[None]):
    """The model, live: continue a prompt, and see its next-character odds, attention, embeddings."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the playground"
    CSS_PATH = "../lessons.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "The playground"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "write", "Let the familiar write"),
        Binding("escape", "stop_or_leave", "Stop writing / back"),
        Binding("ctrl+k", "keep", "Keep what it wrote", priority=True),
        Binding("ctrl+l", "focus_layer", "Choose layer and head", show=False),
        Binding("ctrl+f", "toggle_familiar", "Tuned / shipped"),
    ]

    def __init__(self, model_path: str | Path | None = None, prompt: str = DEFAULT_PROMPT,
                 seed: int | None = None) -> None:
        super().__init__()
        self.chosen_path = str(model_path) if model_path is not None else None
        """A model file asked for by name (tests, screenshots): then no tuned copy is offered."""
        self.model_path = self.chosen_path
        self.use_tuned = True
        """Write with the training room's tuned copy when there is one (ctrl+f toggles)."""
        self._woken_version = 0
        self.initial_prompt = prompt
        self.seed = seed
        """A fixed seed makes every continuation the same (for tests and screenshots)."""
        self.pace = WRITING_PACE
        """Seconds between characters: the familiar writes at a pace the eye can follow."""
        self.model: GPT | None = None
        self.written = ""
        self.writing = False
        self._read_timer: Timer | None = None

    @classmethod
    def from_request(cls, request: Any) -> PlaygroundScreen:
        extra = getattr(request, "extra", {}) or {}
        return cls(model_path=extra.get("model_path"), seed=extra.get("seed"))

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        with Horizontal(id="playground"):
            with VerticalScroll(id="play-left"):
                prompt = TextArea(self.initial_prompt, id="prompt", soft_wrap=True,
                                  tab_behavior="focus")
                prompt.border_title = "your words"
                prompt.border_subtitle = "ctrl+r: let the familiar continue"
                prompt.cursor_blink = False
                yield prompt
                with Horizontal(classes="play-controls"):
                    yield Label("temperature", classes="control-label")
                    yield Stepper(0.8, low=0.0, high=3.0, step=0.1, id="temperature",
                                  tooltip="0 always takes the likeliest character")
                    yield Label("top-k", classes="control-label")
                    yield Stepper(10, low=1, high=200, step=1, integer=True, id="top-k",
                                  tooltip="sample only among the k likeliest characters")
                # The writing scrolls within its box, which follows the newest line.
                with VerticalScroll(id="continuation") as continuation:
                    continuation.border_title = "the familiar writes"
                    continuation.can_focus = False
                    yield Static("", id="continuation-text")
                with Horizontal(classes="play-controls"):
                    yield Label("attention of layer", classes="control-label")
                    yield Stepper(0, low=0, high=0, step=1, integer=True, id="layer")
                    yield Label("head", classes="control-label")
                    yield Stepper(0, low=0, high=0, step=1, integer=True, id="head")
                yield Heatmap({"kind": "heatmap", "values": [], "title": "attention"},
                              id="attention")
            with VerticalScroll(id="play-right"):
                yield Bars({"kind": "bars", "values": [], "title": "next character"},
                           id="next-characters")
                yield Heatmap({"kind": "heatmap", "values": [], "title": "embedding"},
                              id="embedding")
                yield Bars({"kind": "bars", "values": [], "title": "nearest characters"},
                           id="nearest")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._choose_familiar()
        self._show_continuation("The familiar is waking…")
        self.query_one("#prompt", TextArea).focus()
        self.query_one("#prompt", TextArea).move_cursor(
            self.query_one("#prompt", TextArea).document.end)
        self._wake()

    # -- the model ---------------------------------------------------------------------------

    def _choose_familiar(self) -> bool:
        """Pick the shipped or the tuned familiar; True when the choice changed."""
        if self.chosen_path is not None:
            return False
        tuned = tuned_familiar() if self.use_tuned else None
        changed = tuned != self.model_path
        self.model_path = tuned
        self.sub_title = "the playground · the tuned familiar" if tuned else "the playground"
        self.refresh_bindings()
        return changed

    def on_screen_resume(self) -> None:
        # Back from the training room: the familiar may have been tuned or reset meanwhile.
        if self._choose_familiar() or self._woken_version != file_version(self.model_path):
            self._rewake()

    def _rewake(self) -> None:
        self.model = None
        self._show_continuation("The familiar is waking…")
        self._wake()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_familiar":
            # Offered (and in the footer) only once the training room has tuned a copy.
            return self.chosen_path is None and tuned_familiar() is not None
        return True

    def action_toggle_familiar(self) -> None:
        if self.writing:
            self.action_stop_or_leave()
        self.use_tuned = not self.use_tuned
        self._choose_familiar()
        self.notify("The tuned familiar writes now." if self.use_tuned
                    else "The shipped familiar writes now.", timeout=3)
        self._rewake()

    @work(thread=True, exclusive=True, group="wake")
    def _wake(self) -> None:
        try:
            version = file_version(self.model_path)
            model = load_familiar(self.model_path)
        except Exception as error:  # noqa: BLE001 - any failure becomes one sentence on screen
            self.app.call_from_thread(
                self._show_continuation, f"The familiar cannot wake: {error}", True)
            return
        self.app.call_from_thread(self._awake, model, version)

    def _awake(self, model: GPT, version: int = 0) -> None:
        self.model = model
        self._woken_version = version
        config = model.config
        self.query_one("#layer", Stepper).set_range(0, config.n_layer - 1)
        self.query_one("#head", Stepper).set_range(0, config.n_head - 1)
        self._show_continuation("")
        self._read_now()

    def _prompt_state(self) -> tuple[str, int]:
        prompt = self.query_one("#prompt", TextArea)
        text = prompt.text
        row, column = prompt.cursor_location
        lines = text.split("\n")
        offset = sum(len(line) + 1 for line in lines[:row]) + column
        return text, offset

    def _read_soon(self) -> None:
        # Typing fast should not queue a reading per key: wait for a short pause.
        if self._read_timer is not None:
            self._read_timer.stop()
        self._read_timer = self.set_timer(0.12, self._read_now)

    def _read_now(self) -> None:
        if self.model is None:
            return
        text, cursor = self._prompt_state()
        layer = int(self.query_one("#layer", Stepper).number)
        head = int(self.query_one("#head", Stepper).number)
        self._read(self.model, text, cursor, layer, head)

    @work(thread=True, exclusive=True, group="read")
    def _read(self, model: GPT, text: str, cursor: int, layer: int, head: int) -> None:
        reading = read_prompt(model, text, cursor, layer, head)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_reading, reading, layer, head)

    def _show_reading(self, reading: Reading, layer: int, head: int) -> None:
        # The characters as the model reads them: a space is a token, so it is shown (␣).
        before = visible_characters(reading.before)
        self.query_one("#next-characters", Bars).update_display({
            "kind": "bars",
            "values": [p for _, p in reading.next_characters],
            "labels": [c for c, _ in reading.next_characters],
            "log": False,
            "title": f"next character after …{before}",
        })
        self.query_one("#attention", Heatmap).update_display({
            "kind": "heatmap",
            "values": reading.pattern,
            "rows": reading.pattern_labels,
            "cols": reading.pattern_labels,
            "title": f"attention · layer {layer} · head {head}",
        })
        shown = readable_label(reading.character or "")
        self.query_one("#embedding", Heatmap).update_display({
            "kind": "heatmap",
            "values": [reading.embedding],
            "rows": [shown],
            "cols": None,
            "title": f"embedding of {shown!r} (token {reading.token})",
        })
        self.query_one("#nearest", Bars).update_display({
            "kind": "bars",
            "values": [s for _, s in reading.nearest],
            "labels": [c for c, _ in reading.nearest],
            "log": False,
            "title": f"nearest to {shown!r} by cosine",
        })

    # -- writing -------------------------------------------------------------------------------

    def action_write(self) -> None:
        if self.model is None:
            self.notify("The familiar is still waking; a moment.", timeout=3)
            return
        text, _ = self._prompt_state()
        temperature = float(self.query_one("#temperature", Stepper).number)
        top_k = int(self.query_one("#top-k", Stepper).number)
        self.written = ""
        self.writing = True
        self._show_continuation("")
        self.query_one("#continuation").border_subtitle = "writing… escape stops"
        self._write(self.model, text, temperature, top_k)

    @work(thread=True, exclusive=True, group="write")
    def _write(self, model: GPT, prompt: str, temperature: float, top_k: int) -> None:
        worker = get_current_worker()
        for character in model.stream(prompt, MAX_NEW, temperature=temperature, top_k=top_k,
                                      seed=self.seed):
            if worker.is_cancelled:
                break
            self.app.call_from_thread(self._append, character)
            if self.pace:
                time.sleep(self.pace)
        self.app.call_from_thread(self._done_writing)

    def _append(self, character: str) -> None:
        self.written += character
        self._show_continuation(self.written)

    def _done_writing(self) -> None:
        self.writing = False
        count = len(self.written)
        self.query_one("#continuation").border_subtitle = (
            f"{count} characters · ctrl+k keeps them" if count else None
        )

    def _show_continuation(self, written: str, error: bool = False) -> None:
        """Show the end of the prompt (dim) and what the familiar wrote after it, its newest
        line in sight."""
        box = self.query_one("#continuation-text", Static)
        if error or self.model is None:
            box.update(Text(written, style="italic"))
            return
        prompt, _ = self._prompt_state()
        # The last few lines of the prompt, enough to read what is being continued.
        tail = "\n".join(prompt[-160:].split("\n")[-3:])
        text = Text()
        text.append(printable_text(tail), style="dim")
        text.append(printable_text(written), style="bold")
        box.update(text)
        scroll = self.query_one("#continuation", VerticalScroll)
        self.call_after_refresh(scroll.scroll_end, animate=False, immediate=True)

    def action_stop_or_leave(self) -> None:
        if self.writing:
            self.workers.cancel_group(self, "write")
            self.writing = False
            self._done_writing()
        else:
            self.app.pop_screen()

    def action_keep(self) -> None:
        if not self.written:
            return
        prompt = self.query_one("#prompt", TextArea)
        prompt.move_cursor(prompt.document.end)
        prompt.insert(self.written)
        self.written = ""
        self._show_continuation("")
        self.query_one("#continuation").border_subtitle = None

    def action_focus_layer(self) -> None:
        self.query_one("#layer", Stepper).focus()

    # -- reacting to the learner ---------------------------------------------------------------

    def on_resize(self) -> None:
        # Too narrow for two columns: one column the width of the screen, the model's panels
        # below the prompt and the writing, the whole page scrolling.
        self.query_one("#playground").set_class(self.size.width < NARROW, "-narrow")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id == "prompt":
            self._read_soon()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if event.text_area.id == "prompt":
            self._read_soon()

    def on_stepper_stepped(self, event: Stepper.Stepped) -> None:
        if event.stepper.id in ("layer", "head"):
            self._read_soon()

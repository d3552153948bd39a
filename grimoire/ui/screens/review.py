"""The review room: the questions of finished lessons, asked again when spaced repetition says so.

The deck and the schedule are `course.review`'s; this screen asks one due card at a time. Before
the first card of a lesson, the lesson is replayed in the kernel (a thread worker) and every due
card's answer is computed from the familiar as it is now; a card with variants is asked for a
value the lesson did not use. An answer is checked, the card rescheduled (right: "good", wrong:
"again") and the state written to the progress store at once. ctrl+l opens the step that taught
the card. numpy and fsrs are imported only here and in the kernel, when the room opens.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import WorkerFailed

from grimoire.ui.kernel_client import kernel_client
from grimoire.ui.messages import OpenRoom
from grimoire.ui.widgets.footer import KeyFooter
from grimoire.ui.widgets.palette import printable_text
from grimoire.ui.widgets.prose import code_style_for, inline_text
from grimoire.ui.widgets.quiz import ChecklistChoices, ChoiceList

if TYPE_CHECKING:
    from grimoire.course.checks import Verdict
    from grimoire.course.review import Card, CardAnswer, Deck


class ReviewCard(Vertical, can_focus=True):
    """One card: the question, the answer field, then the verdict and the solution."""

    def __init__(self, card: Card, answer: CardAnswer | None, number: int, total: int) -> None:
        super().__init__(classes="review-card")
        self.card = card
        self.answer = answer
        self.answered = False
        self.judging = False
        """An answer is being checked (an expression may be computing in the kernel)."""
        self.border_title = {"choice": "a question", "numeric": "a number",
                             "compute": "compute this",
                             "predict": "predict"}.get(card.kind, card.kind)
        self.border_subtitle = f"card {number} of {total}"

    def compose(self) -> ComposeResult:
        card, answer = self.card, self.answer
        code = code_style_for(self)
        if answer is not None and answer.error is not None:
            yield Static(inline_text(card.question if card.kind != "compute" else
                                     "A number the lesson computed.", style="bold",
                                     code_style=code), classes="review-question")
            yield Static(classes="review-feedback -hidden", id="review-feedback")
            return
        if card.kind == "compute" and answer is not None:
            yield Static(Text("From the lesson:", style="italic"), classes="review-how")
            # The sentence holds values the kernel computed: drawn as text, controls visible.
            context = printable_text(answer.context or "…")
            yield Static(Text("“") + inline_text(context, code_style=code) + Text("”"),
                         classes="review-context")
            ask = Text("Compute ", style="bold")
            ask.append(f"{_BLANK} = ", style="bold")
            ask.append(printable_text(answer.target), style=code)
            if answer.binding:
                ask.append(" again, this time with ", style="bold")
                ask.append(", ".join(f"{name} = {value!r}"
                                     for name, value in answer.binding.items()), style=code)
            ask.append(".", style="bold")
            if answer.binding:
                used = ", ".join(f"{name} = {card.defaults[name]!r}"
                                 for name in answer.binding if name in card.defaults)
                if used:
                    ask.append(f"  (The lesson used {used}.)", style="italic")
            yield Static(ask, classes="review-question")
        else:
            yield Static(inline_text(card.question, style="bold", code_style=code),
                         classes="review-question")
        quiz = card.quiz
        if card.kind == "predict" and card.prediction is not None:
            yield from self._guess(card.prediction)
        elif card.kind == "choice" and quiz is not None and quiz.multiple:
            yield ChecklistChoices(*[
                (Text(f"{n + 1}  ") + inline_text(choice, code_style=code), n)
                for n, choice in enumerate(quiz.choices or [])
            ], id="review-answer")
            yield Static("several are right: space marks a choice, enter checks",
                         classes="review-how")
        elif card.kind == "choice" and quiz is not None:
            yield ChoiceList(*[
                Option(Text(f"{n + 1}  ") + inline_text(choice, code_style=code), id=f"c{n}")
                for n, choice in enumerate(quiz.choices or [])
            ], id="review-answer")
            yield Static("enter (or the choice's number) answers", classes="review-how")
        else:
            field = Input(placeholder="a number, or a Python expression", compact=True,
                          id="review-answer")
            field.cursor_blink = False
            yield field
            yield Static("enter checks: type a number (3/4, 57%), or an expression computed in "
                         "the lesson's namespace (np, la, model and what its cells set)",
                         classes="review-how")
        yield Static(classes="review-feedback -hidden", id="review-feedback")
        yield Vertical(id="review-solution")

    def _guess(self, block: Any) -> ComposeResult:
        """A prediction's field: its options (a choice or a sign), or a number."""
        from grimoire.course import predict

        code = code_style_for(self)
        picks = predict.options(block)
        if picks:
            yield ChoiceList(*[
                Option(Text(f"{n + 1}  ") + inline_text(pick, code_style=code), id=f"c{n}")
                for n, pick in enumerate(picks)
            ], id="review-answer")
            yield Static("enter (or the option's number) answers", classes="review-how")
            return
        field = Input(placeholder="your guess, a number", compact=True, id="review-answer")
        field.cursor_blink = False
        yield field
        yield Static(f"enter checks: a guess, not a computation; "
                     f"{predict.tolerance_words(block)}", classes="review-how")

    def answer_widget(self) -> Widget | None:
        found = self.query("#review-answer")
        return found.first() if found else None

    def show_verdict(self, verdict: Verdict, when: str, solution: str) -> None:
        """The verdict, the explanation, the recomputed answer, when the card comes back."""
        from grimoire.ui.widgets.code_editor import CodeEditor

        self.answered = True
        code = code_style_for(self)
        text = Text()
        if verdict.correct and self.card.kind != "predict":
            text.append("✓ Right.", style="bold")
        else:
            # A prediction's sentence sets the guess beside the truth, right or not.
            text.append("✓ " if verdict.correct else "✗ ", style="bold")
            text.append(verdict.message)
        if self.card.kind == "predict":
            pass
        elif verdict.expected is not None and self.card.kind != "choice":
            text.append("\n")
            text.append_text(inline_text(f"The answer, computed just now: {verdict.expected}.",
                                         style="bold", code_style=code))
        elif verdict.expected is not None and not verdict.correct:
            text.append("\n")
            text.append_text(inline_text(f"The answer: {verdict.expected}.", style="bold",
                                         code_style=code))
        if verdict.explanation:
            text.append("\n")
            text.append_text(inline_text(verdict.explanation, code_style=code))
        text.append("\n")
        text.append(f"Next time: {when}. ", style="italic")
        text.append("enter: the next card", style="italic")
        feedback = self.query_one("#review-feedback", Static)
        feedback.set_classes("review-feedback " + ("-success" if verdict.correct else "-error"))
        feedback.update(text)
        if solution:
            box = self.query_one("#review-solution", Vertical)
            box.mount(Static(Text("the lesson's cell, the solution", style="bold"),
                             classes="review-solution-title"))
            box.mount(CodeEditor(solution.rstrip("\n"), read_only=True,
                                 classes="review-solution-code"))
        widget = self.answer_widget()
        if widget is not None:
            widget.disabled = True
        self.focus()

    def show_note(self, text: str, tone: str = "plain") -> None:
        """A sentence under the answer field (not an answer, or the card cannot be asked)."""
        feedback = self.query_one("#review-feedback", Static)
        feedback.set_classes(f"review-feedback -{tone}")
        feedback.update(Text(text))


_BLANK = "▢"


class ReviewScreen(Screen[None]):
    """The review room: due cards one at a time, their answers recomputed in the kernel."""

    TITLE = "Lilith's Grimoire"
    SUB_TITLE = "the review room"
    CSS_PATH = "../review.tcss"
    """Read when the room is first built (see GrimoireApp.build_room), not at start-up."""
    HELP_TITLE = "The review room"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_card", "Next card"),
        Binding("ctrl+l", "open_step", "Open the step that taught it"),
        *[Binding(str(n), f"choose({n - 1})", "Answer that choice", show=False)
          for n in range(1, 10)],
        Binding("ctrl+c", "interrupt", "Stop the computation", priority=True, show=False),
        Binding("escape", "leave", "Back"),
    ]

    def __init__(self, lessons: Path | None = None,
                 clock: Callable[[], datetime] | None = None,
                 rng: random.Random | None = None) -> None:
        super().__init__()
        self.lessons_dir = lessons
        self.clock = clock
        """The time (None: course.review.now, looked up when needed so tests may set it)."""
        self.rng = rng or random.Random()
        self.deck: Deck | None = None
        self.queue: list[Card] = []
        self.total = 0
        self.position = 0
        self.answers: dict[str, CardAnswer] = {}
        self.card_widget: ReviewCard | None = None
        self.computing = False
        """The kernel is replaying a lesson to compute answers."""
        self.finished = False
        """Every due card has been asked (or there were none)."""
        self._store: Any = None

    @classmethod
    def from_request(cls, request: Any) -> ReviewScreen:
        seed = request.extra.get("seed")  # screenshots and tests draw the same variants
        return cls(lessons=request.lessons,
                   rng=random.Random(seed) if seed is not None else None)

    def compose(self) -> ComposeResult:
        yield Header(icon="☾")
        yield Static(id="review-status")
        with VerticalScroll(id="review-body"):
            yield Static("Opening the deck…", classes="review-note")
        yield Static(id="review-link")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.lessons_dir is None:
            # Opened from the map or the palette: the lessons the app was started with.
            self.lessons_dir = getattr(self.app, "lessons_dir", None)
        self.run_worker(self._open(), group="review-open", exclusive=True)

    def on_unmount(self) -> None:
        if self.computing:
            kernel_client(self.app).interrupt()

    def now(self) -> datetime:
        from grimoire.course import review

        return self.clock() if self.clock is not None else review.now()

    # -- the deck ------------------------------------------------------------------------------

    def _read_deck(self) -> Deck:
        from grimoire.course.progress import ProgressStore
        from grimoire.course.review import build_deck
        from grimoire.ui.lesson_cache import cached_summaries, read_lesson

        self._store = ProgressStore()
        return build_deck(cached_summaries(self.lessons_dir), self._store,
                          lambda lesson_id: read_lesson(lesson_id, self.lessons_dir))

    async def _open(self) -> None:
        import asyncio

        self.deck = await asyncio.to_thread(self._read_deck)
        for sentence in self.deck.unreadable:
            self.notify(sentence, severity="warning", timeout=8)
        self.queue = self.deck.due(self.now())
        self.total = len(self.queue)
        self.position = 0
        await self._show_card()

    async def _show_card(self) -> None:
        """Show the card at `position`, computing its lesson's answers first if needed."""
        if not self.is_attached:
            return
        if self.position >= len(self.queue):
            await self._show_end()
            return
        card = self.queue[self.position]
        if card.id not in self.answers:
            await self._compute(card.lesson_id)
            if not self.is_attached:
                return
            await self._show_card()  # cards that left the deck are gone from the queue
            return
        self._status()
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        answer = self.answers.get(card.id)
        widget = ReviewCard(card, answer, self.position + 1, self.total)
        self.card_widget = widget
        await body.mount(widget)
        self._link(card)
        if answer is not None and answer.error is not None:
            self._cannot_ask(widget, answer)
            return
        field = widget.answer_widget()
        if field is not None:
            field.focus()
        body.scroll_home(animate=False)

    def _cannot_ask(self, widget: ReviewCard, answer: CardAnswer) -> None:
        note = f"This card cannot be asked now: {answer.error} It stays due."
        widget.answered = True
        field = widget.answer_widget()
        if field is not None:
            field.disabled = True
        widget.show_note(note + "  enter: the next card", "warning")
        widget.focus()

    async def _compute(self, lesson_id: str) -> None:
        """Replay the lesson in the kernel and compute the answers of its due cards."""
        from grimoire.course.review import CardAnswer, compute_answers, hide_answers, random_other

        assert self.deck is not None
        lesson = self.deck.lessons[lesson_id]
        cards = [card for card in self.queue if card.lesson_id == lesson_id]
        self._status(f"the familiar recomputes the answers of «{lesson.title}»…")
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        await body.mount(Static(Text(f"Replaying «{lesson.title}» in the kernel, to compute "
                                     "each answer from the familiar as it is now…"),
                                classes="review-note"))
        needs_kernel = [card for card in cards if card.kind != "choice"]
        if needs_kernel and not await self._may_run(lesson.path):
            found = {card.id: [CardAnswer(card.id, {}, error="You chose not to run this "
                                          "lesson's code, so its answers cannot be computed.")]
                     for card in needs_kernel}
            found.update({card.id: [CardAnswer(card.id, {})] for card in cards
                          if card.kind == "choice"})
            self._keep(cards, found)
            return
        if not needs_kernel:
            # Choice questions need no kernel: their answers are in the lesson.
            self._keep(cards, {card.id: [CardAnswer(card.id, {})] for card in cards})
            return
        client = kernel_client(self.app)
        client.start()
        self.computing = True
        try:
            # The kernel's namespace becomes this lesson's, replayed for review.
            client.lesson_id = f"review:{lesson_id}"
            found = await client.call(compute_answers, lesson, cards, client.kernel,
                                      random_other(self.rng))
            await client.call(hide_answers, cards, client.kernel)
        except WorkerFailed as failed:
            found = {}
            self.notify(f"The answers could not be computed: {failed.error}", severity="error")
        finally:
            self.computing = False
        self._keep(cards, found)

    def _keep(self, cards: list[Card], found: dict[str, list[CardAnswer]]) -> None:
        """Each card's computed answer; cards the lesson gives nothing to ask leave the deck."""
        from grimoire.course.review import CardAnswer, retire

        for card in cards:
            computed = found.get(card.id) or []
            answer = computed[0] if computed else CardAnswer(
                card.id, {}, error="Its answer could not be computed.")
            if answer.lasting:
                # The lesson gives this card nothing to ask (its numbers are words): it leaves
                # the deck quietly, and comes back only if the lesson's cell changes.
                if self._store is not None:
                    self._store.record_review(card.id, retire(answer.error or "", self.now()))
                self.queue.remove(card)
                self.total -= 1
                if self.deck is not None and card in self.deck.cards:
                    self.deck.cards.remove(card)
                continue
            self.answers[card.id] = answer

    async def _may_run(self, lesson_path: Path) -> bool:
        """Lessons from outside the Grimoire run code only with the learner's agreement."""
        from grimoire.course import trust as trust_rules
        from grimoire.ui.screens.lesson import TrustScreen

        folder = trust_rules.lesson_folder(lesson_path)
        if getattr(self.app, "trust", False) or trust_rules.is_trusted(folder):
            return True
        screen = TrustScreen(folder)
        screen.css_path = [Path(__file__).parent.parent / "lessons.tcss"]  # its look
        self.app.add_screen_css(screen)  # type: ignore[attr-defined]
        if await self.app.push_screen_wait(screen):
            trust_rules.trust(folder)
            return True
        return False

    def _status(self, doing: str = "") -> None:
        status = self.query_one("#review-status", Static)
        text = Text()
        text.append("✦ review", style="bold")
        left = max(0, self.total - self.position)
        if left:
            text.append(f" — {left} due")
        else:
            text.append(" — nothing more due" if self.total else " — nothing due")
        if doing:
            text.append(f"  ·  {doing}", style="italic")
        status.update(text)

    def _link(self, card: Card | None) -> None:
        link = self.query_one("#review-link", Static)
        if card is None:
            link.update("")
            return
        text = Text()
        text.append("↳ taught in ", style="italic")
        text.append(printable_text(card.where))
        text.append("   ctrl+l opens it", style="italic")
        link.update(text)

    async def _show_end(self) -> None:
        from grimoire.course.review import in_words

        self.finished = True
        self.card_widget = None
        self._status()
        self._link(None)
        body = self.query_one("#review-body", VerticalScroll)
        await body.remove_children()
        deck = self.deck
        text = Text()
        if deck is None or not deck.cards:
            text.append("The review room is empty for now.\n\n", style="bold")
            text.append("When you finish a lesson, its questions come here, and come back "
                        "days later, just before you would forget them. Each answer is "
                        "computed again from the familiar when it is asked.")
        else:
            if self.total:
                text.append(f"✦ That was every card due: {self.total} answered.\n\n",
                            style="bold")
            else:
                text.append("Nothing is due.\n\n", style="bold")
            upcoming = deck.next_due()
            count = len(deck.cards)
            text.append(f"The deck holds {count} card{'s' if count != 1 else ''} from "
                        f"{len(deck.lessons)} finished lesson"
                        f"{'s' if len(deck.lessons) != 1 else ''}.")
            if upcoming is not None:
                text.append(f" The next falls due {in_words(upcoming - self.now().timestamp())}.")
        text.append("\n\nescape goes back to the map.", style="italic")
        await body.mount(Static(text, classes="review-note"))

    # -- answering -----------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#review-answer")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._answer([event.option_index])

    @on(ChecklistChoices.Submitted)
    def _checked(self, event: ChecklistChoices.Submitted) -> None:
        event.stop()
        self._answer(list(event.choices.selected))

    @on(Input.Submitted, "#review-answer")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    def _answer(self, answer: list[int] | str) -> None:
        widget = self.card_widget
        if widget is None or widget.answered or widget.judging:
            return  # a second Enter while the first is being checked counts once
        widget.judging = True
        self.run_worker(self._judge(widget, answer), group="review-answer")

    async def _judge(self, widget: ReviewCard, answer: list[int] | str) -> None:
        try:
            await self._check(widget, answer)
        finally:
            widget.judging = False

    async def _check(self, widget: ReviewCard, answer: list[int] | str) -> None:
        from grimoire.course.checks import CheckError
        from grimoire.course.review import grade, in_words, parse_answer, schedule

        card, computed = widget.card, widget.answer
        expected = computed.expected if computed is not None else None
        value: list[int] | float
        if isinstance(answer, list):
            if not answer:
                widget.show_note("Pick an answer first.")
                return
            value = answer
        else:
            try:
                value = parse_answer(answer)
            except ValueError as error:
                if card.kind == "predict":
                    widget.show_note(f"{error} A prediction is a guess: type a number.", "error")
                    return
                number = await self._evaluate(answer)
                if number is None:
                    widget.show_note(str(error) if not answer.strip() else
                                     f"'{printable_text(answer.strip())}' is neither a number "
                                     "nor an expression that computes one here.", "error")
                    return
                value = number
        try:
            verdict = grade(card, value, expected, computed.target if computed else "")
        except CheckError as error:
            widget.show_note(str(error), "error")
            return
        when = self.now()
        state = schedule(self._state(card.id), verdict.correct, when)
        if self._store is not None:
            self._store.record_review(card.id, state)
        if self.deck is not None:
            self.deck.states[card.id] = state
        solution = computed.solution if computed is not None else ""
        widget.show_verdict(verdict, in_words(state["due"] - when.timestamp()), solution)
        self.position += 1
        self._status()

    def _state(self, card_id: str) -> dict[str, Any] | None:
        if self.deck is None:
            return None
        return self.deck.states.get(card_id)

    async def _evaluate(self, text: str) -> float | None:
        """An expression the learner typed, computed in the lesson's namespace; None if not a number."""
        import math

        expression = text.strip()
        if not expression:
            return None
        try:
            compile(expression, "<answer>", "eval")
        except (SyntaxError, ValueError):
            return None
        client = kernel_client(self.app)
        try:
            (evaluation,) = await client.evaluate([(expression, "")])
        except (WorkerFailed, ValueError):
            return None
        value = evaluation.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(float(value)) else None

    # -- keys ----------------------------------------------------------------------------------

    def action_next_card(self) -> None:
        widget = self.card_widget
        if widget is None or not widget.answered:
            return
        if widget.answer is not None and widget.answer.error is not None and \
                self.position < len(self.queue) and self.queue[self.position] is widget.card:
            self.position += 1  # a card that could not be asked is passed over
        self.run_worker(self._show_card(), group="review-show", exclusive=True)

    def action_choose(self, index: int) -> None:
        widget = self.card_widget
        if widget is None or widget.answered:
            return
        for checklist in widget.query(ChecklistChoices):
            checklist.focus()
            checklist.action_mark(index)
        for choices in widget.query(ChoiceList):
            choices.focus()
            choices.action_pick(index)

    def action_open_step(self) -> None:
        widget = self.card_widget
        if widget is None:
            self.notify("No card is showing.", timeout=3)
            return
        card = widget.card
        if self._store is not None:
            self._store.set_position(card.lesson_id, card.step)
        self.post_message(OpenRoom("lesson", lesson=card.lesson_id, lessons=self.lessons_dir,
                                   trust=getattr(self.app, "trust", False)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            # While the lesson replays, or a typed expression computes; else ctrl+c copies.
            return self.computing or kernel_client(self.app).running > 0
        return True

    def action_interrupt(self) -> None:
        kernel_client(self.app).interrupt()

    def action_leave(self) -> None:
        self.app.pop_screen()


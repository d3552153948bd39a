"""The Grimoire's Textual app: its rooms (screens), theme, keys, help, palette and start-up.

Adding a screen (a "room") takes one call, here at the bottom of this module's ROOM list or from
anywhere before the app starts:

    register_room(Room("map", "The map of lessons", "grimoire.ui.screens.map:MapScreen",
                       palette=True))
    HOME_ROOM = "map"        # (in this module) the room under everything, shown by `grimoire`

A room's screen class is imported only when first needed, so start-up stays light. If the class
has a classmethod `from_request(request: StartRequest)`, the app builds it with that (the
request carries `path`, `symbol`, `lines`, `lesson`, `lessons`, `trust`); otherwise it calls the
class with no arguments. `grimoire <room>` / `run_app(screen="<room>")` opens that room on top of
the home room; `app.open_room(name, **request_fields)` pushes it from anywhere, Escape pops back.
A screen's BINDINGS appear in the help screen (under its `HELP_TITLE`, else the room title)
without further work. `app.show_source(path, symbol=None, lines=None)` pushes the spellbook.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input

from grimoire import paths
from grimoire.ui.messages import OpenRoom, ShowSource
from grimoire.ui.textual_private import is_text_area, owns_key

CSS_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Room:
    """A screen the app can open by name."""

    name: str
    """How it is asked for: `run_app(screen=name)`, `app.open_room(name)`."""
    title: str
    """How the palette and the help screen call it."""
    screen: str
    """`module:Class` of its Screen, imported only when the room is first opened."""
    palette: bool = True
    """Offer "Go to <title>" in the command palette."""
    keep: bool = False
    """Keep the screen when the learner leaves, and show the same one again (a run goes on)."""


@dataclass(frozen=True)
class StartRequest:
    """What a room is asked to show; rooms read the fields they care about."""

    screen: str | None = None
    """The room to open on top of the home room; None (or the home room) for home alone."""
    path: str | None = None
    symbol: str | None = None
    lines: tuple[int, int] | None = None
    lesson: str | None = None
    lessons: Path | None = None
    trust: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


ROOMS: dict[str, Room] = {}
"""Every room of the Grimoire, by name, in the order they were registered."""


def register_room(room: Room) -> None:
    """Make a screen openable by name, listed in help and (if `room.palette`) in the palette."""
    ROOMS[room.name] = room


# The map of lessons is the room under everything.
register_room(Room("map", "the map of lessons", "grimoire.ui.screens.map:MapScreen"))
register_room(Room("source", "the spellbook (source)", "grimoire.ui.screens.source:SourceScreen"))
register_room(Room("welcome", "the welcome page (what the Grimoire is)",
                   "grimoire.ui.screens.welcome:WelcomeScreen"))
# The learner's rooms besides the map: a lesson, the playground, the scratchpad.
register_room(Room("lesson", "a lesson", "grimoire.ui.screens.lesson:LessonScreen",
                   palette=False))
register_room(Room("playground", "the playground", "grimoire.ui.screens.playground:PlaygroundScreen"))
register_room(Room("scratchpad", "the scratchpad", "grimoire.ui.screens.scratchpad:ScratchpadScreen"))
register_room(Room("training", "the training room (watch the familiar learn)",
                   "grimoire.ui.screens.training:TrainingScreen", keep=True))
register_room(Room("review", "the review room", "grimoire.ui.screens.review:ReviewScreen"))

HOME_ROOM = "map"
"""The room at the bottom of the stack: what `grimoire` shows and Escape comes back to."""


GRIMOIRE_THEME = Theme(
    name="grimoire",
    primary="#B794F6",
    secondary="#6FB3A8",
    accent="#E8B85C",
    warning="#E8A15C",
    error="#E06C86",
    success="#9BCB7F",
    foreground="#E9E1D3",
    background="#15111C",
    surface="#1B1624",
    panel="#251E31",
    dark=True,
    variables={
        "footer-key-foreground": "#E8B85C",
        "block-cursor-text-style": "bold",
        "input-selection-background": "#B794F6 35%",
    },
)
"""Ink, amethyst and candle-gold: the Grimoire's own look, and its default."""

MONOCHROME = Theme(
    name="monochrome",
    primary="#C8C8C8",
    secondary="#A0A0A0",
    accent="#FFFFFF",
    warning="#E0E0E0",
    error="#FFFFFF",
    success="#D0D0D0",
    foreground="#E6E6E6",
    background="#101010",
    surface="#161616",
    panel="#262626",
    dark=True,
    variables={"footer-key-foreground": "#FFFFFF", "block-cursor-text-style": "bold reverse"},
)
"""Greys only (`grimoire --monochrome`): nothing is said by colour; pictures say it in glyphs."""

DEFAULT_THEME = "grimoire"


def _spellbook_commands():  # the palette's providers load on first ctrl+p, not at start-up
    from grimoire.ui.commands import SpellbookCommands

    return SpellbookCommands


def _room_commands():
    from grimoire.ui.commands import RoomCommands

    return RoomCommands


class GrimoireApp(App[int]):
    """Lilith's Grimoire: a welcome (later the map), the spellbook, and the rooms registered."""

    TITLE = "Lilith's Grimoire"
    # The shared look only; every room brings its own sheet in its screen's CSS_PATH, read when
    # the room is first built (build_room), so start-up parses only the home room's sheet.
    CSS_PATH: ClassVar[list[str | Path]] = [CSS_DIR / "grimoire.tcss"]
    COMMANDS = App.COMMANDS | {_spellbook_commands, _room_commands}
    COMMAND_PALETTE_DISPLAY = "Commands"
    HELP_TITLE = "Everywhere"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", show=False),
        Binding("ctrl+t", "change_theme", "Change the theme", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, request: StartRequest | None = None) -> None:
        super().__init__()
        self.request = request or StartRequest()
        if self.request.screen == "home":  # the command line's word for the home room
            self.request = replace(self.request, screen=HOME_ROOM)
        self.lessons_dir = self.request.lessons
        """Lessons from `--lessons DIR`, or None for the bundled ones."""
        self.trust = self.request.trust
        """`--trust`: run code of lessons from --lessons without asking."""
        self.register_theme(GRIMOIRE_THEME)
        self.register_theme(MONOCHROME)
        self._remembered_theme = self._saved_theme()
        forced = self.request.extra.get("theme")
        # Assigning `self.theme` would re-parse every stylesheet just after start-up (a tenth of
        # the start-up time); before the first parse there is nothing to refresh, so the theme is
        # set quietly, with the classes Textual's own theme watcher would give the app.
        self.set_reactive(App.theme, forced or self._remembered_theme or DEFAULT_THEME)
        dark = self.current_theme.dark
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self.add_class(f"-theme-{self.theme}", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    crash: BaseException | None = None
    """The first unhandled error, if the app ended in one (see run_app's crash report)."""

    def _handle_exception(self, error: Exception) -> None:
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        # A crash is told in one sentence naming its report (run_app), not a page of locals.
        if self.crash is not None and not self.is_headless:
            self._exit_renderables.clear()
        super()._print_error_renderables()

    async def on_event(self, event: events.Event) -> None:
        # Pasted text reaches every input and editor from here: its line breaks are kept and
        # any other control character made visible, so a paste cannot carry an escape sequence
        # onto the screen.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            from grimoire.course.controls import visible

            text = event.text.replace("\r\n", "\n").replace("\r", "\n")
            if visible(text) != event.text:
                event.stop()
                event = events.Paste(visible(text))
        # Keys typed into a text field keep their order. Textual writes a typed letter as soon
        # as the field reads it, but runs the field's own bound keys (Backspace, Delete, the
        # arrows, Enter) only once the key has climbed back up through every container around
        # the field to the app: in a fast burst - "abc", three Backspaces, "xyz" - letters
        # overtake the Backspaces and the wrong ones are rubbed out. Here a key the field
        # itself binds is queued on the field, behind the letters it has not yet written and
        # ahead of those still to come, and runs there as Textual would run it.
        if (isinstance(event, events.Key) and not event.is_forwarded and not event.is_printable
                and self.screen.maximized is None):
            field = self.focused
            if (isinstance(field, Input) or is_text_area(field)) and owns_key(field, event.key):
                self.app_focus = True
                if not await self._check_bindings(event.key, priority=True):
                    field.call_later(self._check_bindings, event.key)
                return
        await super().on_event(event)

    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any:
        """Run `callback` on the app's loop, as Textual does, unless the app has begun to close.

        A worker's result (a reading of the familiar, a search's matches, a step of training)
        can arrive just as the learner quits, while the rooms' widgets are being taken down:
        drawing it then would end the Grimoire on an error instead of a quiet goodbye. Such a
        result is dropped (the call returns None).
        """

        def unless_closing() -> Any:
            if not self.is_running:  # it began to close while the call was on its way
                return None
            return callback(*args, **kwargs)  # an awaitable is awaited by Textual

        if not self.is_running:
            return None  # not queued at all: the loop may stop before it would run
        return super().call_from_thread(unless_closing)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """A toast whose words are drawn as written: a lesson title or a path holding `[/]`
        is text, never markup, and its control characters are made visible."""
        from grimoire.course.controls import visible

        super().notify(visible(str(message)), title=visible(str(title)), severity=severity,
                       timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's title and sub-title (often a lesson's title) as text, controls visible."""
        from grimoire.course.controls import visible

        return super().format_title(visible(title), visible(sub_title))

    def get_css_variables(self) -> dict[str, str]:
        # Widgets read theme colours for Rich text often (a label, a chart cell); Textual builds
        # the whole colour system on every call, so it is built once a theme and copied out.
        cache: dict[str, dict[str, str]] = self.__dict__.setdefault("_theme_variables_cache", {})
        variables = cache.get(self.theme)
        if variables is None:
            variables = cache[self.theme] = super().get_css_variables()
        self.theme_variables = variables
        return dict(variables)

    def register_theme(self, theme: Theme) -> None:
        self.__dict__.get("_theme_variables_cache", {}).pop(theme.name, None)
        super().register_theme(theme)

    # -- rooms -----------------------------------------------------------------------------------

    def build_room(self, name: str, request: StartRequest | None = None) -> Screen:
        """A new screen for room `name`, built from `request` (see the module docstring)."""
        room = ROOMS[name]
        if room.keep and self.is_screen_installed(f"room:{name}"):
            return self.get_screen(f"room:{name}")
        module_name, _, class_name = room.screen.partition(":")
        screen_class = getattr(importlib.import_module(module_name), class_name)
        request = request or StartRequest(screen=name)
        from_request = getattr(screen_class, "from_request", None)
        screen = from_request(request) if from_request is not None else screen_class()
        self.add_screen_css(screen)
        if room.keep:
            self.install_screen(screen, f"room:{name}")
        return screen

    def add_screen_css(self, screen: Screen) -> None:
        """Add the sheets of `screen`'s CSS_PATH to the app's styles, parsing only those.

        Textual reads a pushed screen's CSS_PATH itself, but then parses every sheet of the app
        again, and it ignores the CSS_PATH of the default screen (the home room); added here,
        before the screen is shown, each sheet is parsed once, when its room is first built.
        """
        stylesheet = self.stylesheet
        for path in screen.css_path:
            if not stylesheet.has_source(str(path), ""):
                stylesheet.add_source(Path(path).read_text(encoding="utf-8"),
                                      read_from=(str(path), ""), is_default_css=False)

    def open_room(self, name: str, **fields: Any) -> None:
        """Push room `name` on top of where the learner is; Escape in it comes back here.

        The home room is the bottom of the stack: going there closes the screens above it.
        """
        if name == HOME_ROOM:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        kept = f"room:{name}"
        if ROOMS[name].keep and self.is_screen_installed(kept):
            screen = self.get_screen(kept)
            if screen in self.screen_stack:  # already open underneath: come back down to it
                while self.screen is not screen:
                    self.pop_screen()
                return
        known = StartRequest.__dataclass_fields__
        request = StartRequest(screen=name, **{k: v for k, v in fields.items() if k in known},
                               extra={k: v for k, v in fields.items() if k not in known})
        self.push_screen(self.build_room(name, request))

    def palette_rooms(self, showing: Screen | None = None) -> list[tuple[str, str]]:
        """(name, title) of the rooms offered in the command palette, besides the one showing."""
        current = type(showing or self.screen).__name__
        return [
            (room.name, room.title)
            for room in ROOMS.values()
            if room.palette and room.screen.rpartition(":")[2] != current
        ]

    def get_default_screen(self) -> Screen:
        return self.build_room(HOME_ROOM, replace(self.request, screen=HOME_ROOM))

    def on_mount(self) -> None:
        if self.request.screen not in (None, HOME_ROOM):
            self.push_screen(self.build_room(self.request.screen, self.request))

    # -- the spellbook ---------------------------------------------------------------------------

    def show_source(self, path: str | None = None, symbol: str | None = None,
                    lines: tuple[int, int] | None = None) -> bool:
        """Open the spellbook at `path` (e.g. `grimoire/cli.py`), a symbol or a line range.

        Escape in the spellbook comes back to exactly where the learner was. A path outside the
        Grimoire is refused with a sentence (as a notification) and nothing opens: returns False.
        """
        if path is not None:
            try:
                paths.resolve_source(path)
            except paths.SourcePathError as error:
                self.notify(str(error), title="Refused", severity="error")
                return False
        self.open_room("source", path=path, symbol=symbol, lines=lines)
        return True

    def on_open_room(self, message: OpenRoom) -> None:
        self.open_room(message.name, **message.fields)

    def on_show_source(self, message: ShowSource) -> None:
        self.show_source(message.path, symbol=message.symbol, lines=message.lines)

    def action_show_source(self) -> None:
        self.show_source()

    # -- help and theme --------------------------------------------------------------------------

    def help_sections(self) -> list[tuple[str, list[Binding]]]:
        """Keys that work everywhere, then each room's own, read from the screens' BINDINGS."""
        sections = [(self.HELP_TITLE, list(Binding.make_bindings(self.BINDINGS)))]
        sections[0][1].append(Binding("ctrl+p", "command_palette", "Every command (the palette)"))
        for room in ROOMS.values():
            module_name, _, class_name = room.screen.partition(":")
            screen_class = getattr(importlib.import_module(module_name), class_name)
            bindings = list(Binding.make_bindings(screen_class.BINDINGS))
            if bindings:
                sections.append((getattr(screen_class, "HELP_TITLE", room.title), bindings))
        return sections

    def action_help(self) -> None:
        from grimoire.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            help_screen = HelpScreen(self.help_sections())
            self.add_screen_css(help_screen)
            self.push_screen(help_screen)

    def _settings_file(self) -> Path:
        return paths.user_data_dir() / "ui.json"

    def _saved_theme(self) -> str | None:
        try:
            name = json.loads(self._settings_file().read_text()).get("theme")
        except (OSError, ValueError, AttributeError, RecursionError):
            return None  # no settings, or damaged ones: the default theme
        return name if name in self.available_themes else None

    def watch_theme(self, theme: str) -> None:
        # Remember the learner's choice; a failure to write is not worth interrupting them.
        if theme == getattr(self, "_remembered_theme", None) or (
            theme == DEFAULT_THEME and getattr(self, "_remembered_theme", None) is None
        ):
            return
        self._remembered_theme = theme
        settings = self._settings_file()
        try:
            settings.parent.mkdir(parents=True, exist_ok=True)
            temporary = settings.with_suffix(".tmp")
            temporary.write_text(json.dumps({"theme": theme}))
            temporary.replace(settings)
        except OSError:
            pass


def run_app(screen: str = "map", path: str | None = None, symbol: str | None = None,
            lesson: str | None = None, lessons: Path | None = None, trust: bool = False,
            lines: tuple[int, int] | None = None, theme: str | None = None) -> int:
    """Run the Grimoire full-screen, opened on room `screen`; returns the exit code.

    `theme` overrides the remembered theme for this run (`--monochrome`).
    """
    if screen == "home":  # the command line's word for "whatever the home room is"
        screen = HOME_ROOM
    if screen not in ROOMS:
        print(f"grimoire: the {screen} is not part of this Grimoire yet.", file=sys.stderr)
        return 2
    request = StartRequest(screen=screen, path=path, symbol=symbol, lines=lines, lesson=lesson,
                           lessons=lessons, trust=trust, extra={"theme": theme} if theme else {})
    # The modules just imported (Textual, Rich, ours) live as long as the app; frozen, the
    # garbage collector stops walking them again and again while the first screen is built
    # (its full passes were a tenth of the start-up time). Objects made from here on are
    # collected as usual.
    gc.freeze()
    app = GrimoireApp(request)
    result = app.run()
    if app.crash is not None:
        report = write_crash_report(app.crash)
        where = f"the details are in {report}" if report else "no report could be written"
        print(f"grimoire: the Grimoire stopped on an error it did not expect "
              f"({type(app.crash).__name__}); {where}. Your progress is saved.", file=sys.stderr)
        return 1
    if app.return_code:
        return app.return_code
    return result if isinstance(result, int) else 0


def write_crash_report(error: BaseException) -> Path | None:
    """Write the traceback of an unexpected error under the learner's home; its path, or None."""
    import tempfile
    import traceback

    from grimoire import __version__

    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = (f"Lilith's Grimoire {__version__} stopped on an unexpected error at {stamp}.\n"
            f"Python {sys.version.split()[0]} on {sys.platform}.\n\n"
            + "".join(traceback.format_exception(type(error), error, error.__traceback__)))
    for folder in (paths.user_data_dir() / "crash-reports", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            report = folder / f"grimoire-crash-{stamp}-{os.getpid()}.txt"
            report.write_text(text, encoding="utf-8")
            return report
        except OSError:
            continue
    return None

"""Colour scales for the Grimoire's pictures of numbers, blended into the current app theme.

A scale maps a number to a colour. Signed data (weights, residuals) uses a diverging scale whose
middle, zero, is the theme's surface colour, so zero looks like "nothing there"; non-negative
data (attention patterns, probabilities) uses a sequential scale that rises out of the surface.
Both ends are fixed hues chosen to read on dark and light themes alike; only the neutral end
follows the theme, so a picture keeps its meaning when the learner switches themes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.color import Color as RichColor

if TYPE_CHECKING:
    from textual.app import App

RGB = tuple[int, int, int]

# Sequential stops after the neutral surface: ember rising to candle-light on dark themes,
# deepening to ink on light themes (magma-like, so brightness alone still orders the values).
_SEQUENTIAL_DARK: tuple[RGB, ...] = ((59, 31, 110), (181, 54, 122), (240, 140, 58), (251, 227, 142))
_SEQUENTIAL_LIGHT: tuple[RGB, ...] = ((246, 196, 122), (217, 69, 111), (107, 42, 140), (42, 15, 71))
# Diverging ends as OKLCh (lightness, chroma, hue in degrees): a blue below zero and a red
# above, of equal lightness and chroma so neither sign looks stronger than the other.
_NEGATIVE_END = {True: (0.74, 0.14, 250.0), False: (0.46, 0.16, 255.0)}
_POSITIVE_END = {True: (0.74, 0.14, 28.0), False: (0.46, 0.16, 28.0)}

MONOCHROME_THEME = "monochrome"
"""The theme for screens without colour; pictures then keep their meaning in glyphs."""

SHADES = "░▒▓█"
"""Sizes, from small to large, when colour cannot say them."""
SERIES_MARKS = "•×+o*#"
"""One mark a series, when colour cannot tell lines apart."""


def glyph(scale: ColourScale, value: float) -> str:
    """Two characters that say a value without colour: its sign and its size.

    Signed (diverging) data: '+' or '−' then a shade for the magnitude ('+▓', '−░'); a value
    too small for the lightest shade is blank, as zero is blank in colour. One-sign data: the
    shade twice ('▒▒'). Not a number: '??'.
    """
    if not math.isfinite(value):
        return "??"
    if scale.diverging:
        size = abs(value) / (scale.high or 1.0)
        level = min(len(SHADES), int(size * len(SHADES) + 0.5))
        if level == 0:
            return "  "
        return ("+" if value > 0 else "−") + SHADES[level - 1]
    fraction = (value - scale.low) / ((scale.high - scale.low) or 1.0)
    if scale.high <= 0:
        fraction = 1.0 - fraction
    level = min(len(SHADES) - 1, max(0, int(fraction * len(SHADES))))
    return SHADES[level] * 2


SERIES_DARK: tuple[str, ...] = ("#f0a04b", "#6fb4f0", "#c678dd", "#98c379", "#e06c75", "#56b6c2")
SERIES_LIGHT: tuple[str, ...] = ("#b35c00", "#1f63a8", "#8a3fa8", "#3f7d20", "#b0283a", "#137a85")


def parse_rgb(text: str | None, default: RGB) -> RGB:
    """'#rrggbb' (or any colour Rich understands) as an RGB triple; default when unparseable."""
    if not text:
        return default
    try:
        triplet = RichColor.parse(text).get_truecolor()
    except Exception:  # noqa: BLE001 - theme variables may hold values Rich does not parse
        return default
    return (triplet.red, triplet.green, triplet.blue)


def hex_colour(rgb: RGB) -> str:
    """An RGB triple as '#rrggbb'."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _to_linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _from_linear(channel: float) -> int:
    c = 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055
    return max(0, min(255, round(c * 255)))


def to_oklab(rgb: RGB) -> tuple[float, float, float]:
    """sRGB to OKLab (Björn Ottosson's perceptual space): equal steps there look equal."""
    r, g, b = (_to_linear(c) for c in rgb)
    l_ = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    m_ = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    s_ = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def from_oklab(lab: tuple[float, float, float]) -> RGB:
    """OKLab back to sRGB, clipped into the displayable range."""
    lightness, a, b = lab
    l_ = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    m_ = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    s_ = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (_from_linear(4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_),
            _from_linear(-1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_),
            _from_linear(-0.0041960863 * l_ - 0.7034186147 * m_ + 1.7076147010 * s_))


def _oklch(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    angle = math.radians(hue)
    return (lightness, chroma * math.cos(angle), chroma * math.sin(angle))


def _along(stops: Sequence[RGB], t: float) -> RGB:
    """The colour a fraction t in [0, 1] of the way along a ramp, blended in OKLab.

    Blending in a perceptual space rather than in RGB keeps the steps even to the eye and keeps
    the hue from wandering (a straight RGB blend from blue towards a grey passes through teal).
    """
    t = min(1.0, max(0.0, t))
    span = t * (len(stops) - 1)
    index = min(int(span), len(stops) - 2)
    a, b = to_oklab(stops[index]), to_oklab(stops[index + 1])
    f = span - index
    return from_oklab((a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f,
                       a[2] + (b[2] - a[2]) * f))


@dataclass(frozen=True)
class ThemeColours:
    """The handful of theme colours the pictures need, resolved to RGB."""

    dark: bool
    surface: RGB
    foreground: RGB
    muted: RGB
    accent: RGB
    monochrome: bool = False
    """No colour to carry meaning (NO_COLOR, or the monochrome theme): pictures use glyphs."""

    @property
    def series(self) -> tuple[str, ...]:
        """Colours for several lines or point sets, distinct from one another."""
        return SERIES_DARK if self.dark else SERIES_LIGHT


def theme_colours(app: App | None) -> ThemeColours:
    """Read the current theme of `app` (dark defaults when there is no app yet)."""
    if app is None:
        return ThemeColours(True, (30, 30, 36), (224, 224, 224), (140, 140, 150), (255, 166, 43))
    variables = app.theme_variables or {}
    dark = bool(app.current_theme.dark)
    fallback_surface = (30, 30, 36) if dark else (245, 245, 245)
    fallback_text = (224, 224, 224) if dark else (30, 30, 30)
    surface = parse_rgb(variables.get("surface"), fallback_surface)
    foreground = parse_rgb(variables.get("foreground"), fallback_text)
    return ThemeColours(
        dark=dark,
        surface=surface,
        foreground=foreground,
        muted=_blend(surface, foreground, 0.55),
        accent=parse_rgb(variables.get("accent"), (255, 166, 43)),
        monochrome=bool(getattr(app, "no_color", False)) or app.theme == MONOCHROME_THEME,
    )


@dataclass(frozen=True)
class ColourScale:
    """Numbers to colours: diverging around zero for signed data, sequential otherwise."""

    low: float
    high: float
    diverging: bool
    colours: ThemeColours

    @classmethod
    def for_values(cls, values: Sequence[float], colours: ThemeColours) -> ColourScale:
        """The scale that fits these values (NaN and infinities are ignored).

        Values of both signs get the diverging scale; values of one sign a sequential one,
        whose strongest colour goes to the largest magnitude (the most negative, when all
        are negative).
        """
        finite = [v for v in values if math.isfinite(v)]
        if not finite:
            return cls(0.0, 1.0, False, colours)
        low, high = min(finite), max(finite)
        if low < 0 < high:
            # Symmetric, so equal magnitudes of opposite sign get equally strong colours.
            bound = max(abs(low), abs(high))
            return cls(-bound, bound, True, colours)
        return cls(low, high if high > low else low + 1.0, False, colours)

    def rgb(self, value: float) -> RGB:
        """The colour of one value; NaN shows as the muted text colour."""
        if not math.isfinite(value):
            return self.colours.muted
        surface = self.colours.surface
        dark = self.colours.dark
        if self.diverging:
            t = min(1.0, abs(value) / self.high)
            end = to_oklab(from_oklab(_oklch(*(_NEGATIVE_END if value < 0 else _POSITIVE_END)[
                dark])))
            middle = to_oklab(surface)
            return from_oklab(tuple(m + (e - m) * t for m, e in zip(middle, end, strict=True)))
        stops = (surface, *(_SEQUENTIAL_DARK if dark else _SEQUENTIAL_LIGHT))
        fraction = (value - self.low) / (self.high - self.low)
        if self.high <= 0:
            fraction = 1.0 - fraction  # all negative: the largest magnitude is the strongest
        return _along(stops, fraction)

    def hex(self, value: float) -> str:
        """The colour of one value as '#rrggbb'."""
        return hex_colour(self.rgb(value))


def format_number(value: float, digits: int = 3) -> str:
    """A short, readable number: 0.123, -4.57, 1.2e-05, 3.4e+06, nan."""
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 10 ** -(digits) or magnitude >= 10**6):
        return f"{value:.{max(1, digits - 1)}e}"
    if magnitude >= 1000:
        return f"{value:.0f}"
    text = f"{value:.{digits if magnitude < 100 else 1}f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_VISIBLE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\x7f": "␡"}


_SYMBOLS = frozenset(_VISIBLE.values()) | {chr(0x2400 + code) for code in range(32)}
"""The symbols that stand for invisible characters; when one is itself the text, it is quoted."""


def _visible(char: str) -> str:
    return _VISIBLE.get(char) or (chr(0x2400 + ord(char)) if ord(char) < 32 else char)


def readable_label(label: object) -> str:
    """A label as one line that can be read, e.g. a character of the model's vocabulary.

    A label that is one whitespace or control character alone would be invisible, so it is shown
    as a symbol: ' ' -> '␣', newline -> '⏎', tab -> '⇥', others as their Unicode control pictures
    (␍, ␋, ...). A longer label ('layer 0', 'the end') keeps its spaces; only its line breaks,
    tabs and control characters, which cannot stand in one line, become symbols.
    """
    text = str(label)
    if len(text) == 1:
        return _visible(text)
    return "".join(char if char == " " else _visible(char) for char in text)


def readable_labels(labels: list[object]) -> list[str]:
    """Labels made readable together, so no two different ones look the same.

    The model's vocabulary holds some of the symbols as characters of their own (the Grimoire's
    source writes '⏎'). Where a set of labels holds both an invisible character and the symbol
    that pictures it, the symbol itself is quoted: the newline is ⏎ and the character is '⏎'.
    (A lesson that has already turned its characters into symbols keeps them as they are.)
    """
    texts = [str(label) for label in labels]
    pictured = {_visible(text) for text in texts if len(text) == 1 and _visible(text) != text}
    return [f"'{text}'" if text in pictured and text in _SYMBOLS else readable_label(text)
            for text in texts]


def visible_characters(text: str) -> str:
    """Every character made visible, spaces too ('␣'): text read as the model reads it."""
    return "".join(_visible(char) for char in text)


def printable_text(text: str) -> str:
    """Running text safe to draw: newlines and tabs kept, other control characters shown."""
    return "".join(
        char if char in "\n\t" or ord(char) >= 32 and char != "\x7f"
        else readable_label(char)
        for char in text
    )


def css_colour(app: App, name: str) -> str:
    """A theme variable as '#rrggbb' for Rich text ('text-muted' is 'auto 60%' in CSS: blended)."""
    variables = app.get_css_variables()
    if name == "text-muted":
        return hex_colour(theme_colours(app).muted)
    value = variables.get(name, "")
    rgb = parse_rgb(value, (-1, -1, -1))
    if rgb[0] < 0:
        return hex_colour(theme_colours(app).foreground)
    return hex_colour(rgb)

"""`$LaTeX$` in lesson prose turned into readable Unicode: Σ, ‖x‖₂, Vᵀ, √d, a/b, ŷ, ℝᵈ.

Public API::

    render(text: str) -> str               # every $...$ (and $$...$$) of a prose text converted
    latex_to_unicode(latex: str) -> str    # one formula, without the dollars
    unknown_commands(text: str) -> list[str]   # \\commands in the math this module cannot draw

Math follows pandoc's rule: an opening `$` is not followed by a space, a closing `$` is not
preceded by one nor followed by a digit, so "costs $5 and $10" stays prose. `\\$` is a dollar.
Inline code (`...`) is left alone. Sub- and superscripts use Unicode's small letters where they
all exist (σₘₐₓ, e⁻ˣ); otherwise they stay readable as W_Q or x^(a+b). A fraction is a/b, with
brackets when a side has several terms. Unknown commands are kept as written.

Written here rather than taken from pylatexenc, unicodeit or flatlatex: compared on the formulas
the curriculum uses, each got some wrong (pylatexenc drops norms and keeps ^2 as ASCII;
unicodeit turns \\operatorname into "øperatorname" and \\log into "łog" and leaves \\frac;
flatlatex drops spaces and does not know \\top, \\le or \\log, and needs the compiled `regex`).
"""

from __future__ import annotations

import re
import unicodedata

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

_SYMBOLS = {
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "emptyset": "∅", "infty": "∞", "partial": "∂",
    "nabla": "∇", "times": "×", "cdot": "·", "circ": "∘", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "pm": "±", "mp": "∓", "div": "÷", "top": "⊤", "perp": "⊥", "star": "⋆",
    "sum": "∑", "prod": "∏", "int": "∫", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "implies": "⇒", "iff": "⇔", "mapsto": "↦", "ldots": "…", "dots": "…",
    "cdots": "⋯", "vdots": "⋮", "ddots": "⋱", "langle": "⟨", "rangle": "⟩", "lVert": "‖",
    "rVert": "‖", "Vert": "‖", "|": "‖", "lvert": "|", "rvert": "|", "vert": "|", "mid": "|",
    "ell": "ℓ", "hbar": "ℏ", "prime": "′", "neg": "¬", "land": "∧", "lor": "∨",
    "{": "{", "}": "}", "%": "%", "_": "_", "#": "#", "&": "&", "$": "$",
    "quad": "  ", "qquad": "    ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "angle": "∠", "triangle": "△",
}

_FUNCTIONS = {
    "log", "ln", "exp", "max", "min", "arg", "argmax", "argmin", "det", "tr", "rank", "sin",
    "cos", "tan", "tanh", "lim", "sup", "inf", "diag", "softmax", "dim", "ker", "sgn", "Pr",
}

_SUPER = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδεθιφχ",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᵋᶿᶥᵠᵡ",
    strict=True,
))
_SUPER["−"] = "⁻"
_SUPER["⊤"] = "ᵀ"
_SUPER["′"] = "′"

_SUB = dict(zip(
    "0123456789+-=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
    strict=True,
))
_SUB["−"] = "₋"

_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
            "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307",
            "ddot": "\u0308"}


def _styled(start: int, lower_start: int | None, exceptions: dict[str, str]) -> dict[str, str]:
    table = {}
    for index, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        table[letter] = chr(start + index)
    if lower_start is not None:
        for index, letter in enumerate("abcdefghijklmnopqrstuvwxyz"):
            table[letter] = chr(lower_start + index)
    table.update(exceptions)
    return table


_FONTS = {
    "mathbb": _styled(0x1D538, 0x1D552, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ",
                                         "R": "ℝ", "Z": "ℤ", "1": "𝟙"}),
    "mathbf": _styled(0x1D400, 0x1D41A, {}),
    "boldsymbol": _styled(0x1D400, 0x1D41A, {}),
    "mathcal": _styled(0x1D49C, None, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ",
                                       "L": "ℒ", "M": "ℳ", "R": "ℛ"}),
}
_PLAIN_TEXT = {"text", "mathrm", "operatorname", "textrm", "textbf", "mathit", "textit", "mbox"}
_DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
            "displaystyle", "limits", "nolimits"}
_OPERATORS = set("+-−=<>≤≥≈≠∈·×/⊗⊙∘→")


class _Parser:
    """A small recursive reader of the LaTeX math subset lessons use."""

    def __init__(self, latex: str) -> None:
        self.text = latex
        self.pos = 0
        self.unknown: list[str] = []

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def sequence(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if stop and char == stop:
                self.pos += 1
                return "".join(out)
            if char in "^_":
                self.pos += 1
                argument = self.argument()
                out.append(_script(argument, superscript=char == "^"))
            elif char.isspace():
                self.pos += 1
                if out and not out[-1].endswith(" "):
                    out.append(" ")
            else:
                out.append(self.atom())
        return "".join(out)

    def argument(self) -> str:
        """What follows ^, _ or a command: a {group}, a command, or one character."""
        while self.peek().isspace():
            self.pos += 1
        char = self.peek()
        if not char:
            return ""
        if char == "{":
            self.pos += 1
            return self.sequence("}")
        if char == "\\":
            return self.atom()
        self.pos += 1
        return char

    def atom(self) -> str:
        char = self.text[self.pos]
        if char == "{":
            self.pos += 1
            return self.sequence("}")
        if char == "}":
            self.pos += 1
            return ""
        if char != "\\":
            self.pos += 1
            return "−" if char == "-" else char
        return self.command()

    def command(self) -> str:
        self.pos += 1  # the backslash
        match = re.match(r"[A-Za-z]+", self.text[self.pos:])
        if match is None:
            name = self.peek()
            self.pos += 1
        else:
            name = match.group(0)
            self.pos += len(name)
        if name in _GREEK:
            return _GREEK[name]
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FUNCTIONS:
            # `\arg\max` reads "arg max", as LaTeX sets it with a thin space.
            return name + " " if self.peek() == "\\" else name
        if name in _DROPPED:
            return ""
        if name in _PLAIN_TEXT:
            return self.argument()
        if name in _FONTS:
            table = _FONTS[name]
            return "".join(table.get(ch, ch) for ch in self.argument())
        if name in _ACCENTS:
            body = self.argument()
            return body[:1] + _ACCENTS[name] + body[1:] if body else ""
        if name == "frac" or name == "dfrac" or name == "tfrac":
            top, bottom = self.argument(), self.argument()
            return f"{_bracket(top)}/{_bracket(bottom)}"
        if name == "sqrt":
            return "√" + _bracket(self.argument())
        if name == "norm":
            return f"‖{self.argument()}‖"
        if name == "abs":
            return f"|{self.argument()}|"
        if name == "intercal" or name == "T":
            return "⊤"
        self.unknown.append("\\" + name)
        if self.peek() == "{":  # keep an unknown command's argument as written, braces too
            return "\\" + name + "{" + self.argument() + "}"
        return "\\" + name


def _bracket(text: str) -> str:
    """`a` stays `a`; `q k + 1` becomes `(q k + 1)`, so a/b and √x stay unambiguous."""
    text = text.strip()
    if len(text) <= 1 or (text.startswith("(") and text.endswith(")")):
        return text
    if " " in text or any(ch in _OPERATORS for ch in text):
        return f"({text})"
    return text


def _script(argument: str, superscript: bool) -> str:
    table = _SUPER if superscript else _SUB
    text = argument.strip()
    if text == "⊤" and superscript:
        return "ᵀ"
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    mark = "^" if superscript else "_"
    if len(text) == 1 or text in ("⊤",):
        return mark + text
    if not superscript and text.isalnum():
        return mark + text  # a name as a subscript reads as one: d_head, W_QK
    return f"{mark}({text})"


def latex_to_unicode(latex: str) -> str:
    """One formula (no dollars) as Unicode text."""
    # Precomposed letters (ŷ rather than y + U+0302) line up in every terminal.
    return unicodedata.normalize("NFC", _Parser(latex).sequence().strip())


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$]*?[^\s\\$])?)\$(?![\d$])",
    re.DOTALL,
)


_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>~])")


def _convert_math(text: str, found: list[str] | None = None, markdown: bool = False) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match.group("display") if match.group("display") is not None else match.group(
            "inline")
        parser = _Parser(body)
        rendered = unicodedata.normalize("NFC", parser.sequence().strip())
        if found is not None:
            found.extend(parser.unknown)
        if markdown:
            # A formula is text, not Markdown: ‖W − Wₖ‖_F must not start an emphasis.
            rendered = _MARKDOWN_ACTIVE.sub(r"\\\1", rendered)
        if match.group("display") is not None:
            # Display math stands as a paragraph of its own, even when the author wrote it
            # on the line right after the text (Markdown would otherwise run them together).
            return f"\n\n{rendered}\n\n"
        return rendered

    converted = _MATH.sub(replace, text)
    return converted.replace("\\$", "$")


def _outside_code(text: str, convert: callable) -> str:  # type: ignore[valid-type]
    pieces = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(convert(text[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(convert(text[last:]))
    return "".join(pieces)


def render(text: str, markdown: bool = False) -> str:
    """A prose text with each `$...$` formula turned into Unicode; the rest left as it is.

    With `markdown=True` the formulas' characters that Markdown would read as markup (`_`,
    `*`, brackets, ...) are backslash-escaped, for text that a Markdown renderer draws next.
    """
    return _outside_code(text, lambda part: _convert_math(part, markdown=markdown))


def unknown_commands(text: str) -> list[str]:
    """The `\\commands` in a prose text's math that render() leaves as written."""
    found: list[str] = []
    _outside_code(text, lambda part: _convert_math(part, found))
    return sorted(set(found))

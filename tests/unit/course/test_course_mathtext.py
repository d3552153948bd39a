"""Math in prose: the formulas the curriculum needs, drawn as readable Unicode."""

from __future__ import annotations

import pytest

from grimoire.course.mathtext import latex_to_unicode, render, unknown_commands


@pytest.mark.parametrize("latex, unicode", [
    (r"W = U \Sigma V^\top", "W = U Σ Vᵀ"),
    (r"\|x\|_2", "‖x‖₂"),
    (r"\kappa = \sigma_{max}/\sigma_{min}", "κ = σₘₐₓ/σₘᵢₙ"),
    (r"x^\top A x", "xᵀ A x"),
    (r"P^2 = P", "P² = P"),
    (r"\hat{y}", "ŷ"),
    (r"\sum_i x_i", "∑ᵢ xᵢ"),
    (r"\frac{a}{b}", "a/b"),
    (r"\frac{q k^\top}{\sqrt{d_k}}", "(q kᵀ)/√dₖ"),
    (r"a \le b \approx c \in S", "a ≤ b ≈ c ∈ S"),
    (r"\mathbb{R}^{d}", "ℝᵈ"),
    (r"W_Q W_K^\top", "W_Q W_Kᵀ"),
    (r"\operatorname{softmax}(x)", "softmax(x)"),
    (r"\sqrt{d}", "√d"),
    (r"\sqrt{x + 1}", "√(x + 1)"),
    (r"e^{-x}", "e⁻ˣ"),
    (r"A^{-1}", "A⁻¹"),
    (r"\log p(x)", "log p(x)"),
    (r"\hat{y} = \arg\max_i p_i", "ŷ = arg maxᵢ pᵢ"),
    (r"\sigma_i^2", "σᵢ²"),
    (r"\mathbf{x}_t", "𝐱ₜ"),
    (r"\left( \frac{1}{2} \right)", "( 1/2 )"),
    (r"\sum_{i=1}^{n} x_i^2", "∑ᵢ₌₁ⁿ xᵢ²"),
    (r"\mathcal{L}", "ℒ"),
    (r"x^{a+b}", "xᵃ⁺ᵇ"),
    (r"x^{Q}", "x^Q"),
    (r"\text{rank}(A) \ne 0", "rank(A) ≠ 0"),
])
def test_curriculum_formulas(latex: str, unicode: str) -> None:
    assert latex_to_unicode(latex) == unicode


def test_render_converts_only_math_in_prose() -> None:
    text = r"The norm $\|x\|_2$ of `a $b$ c`, and $\sigma_1$ costs $5 or $10 \$."
    assert render(text) == r"The norm ‖x‖₂ of `a $b$ c`, and σ₁ costs $5 or $10 $."


def test_display_math_stands_as_its_own_paragraph() -> None:
    text = "The decomposition\n$$W = U \\Sigma V^\\top$$\nholds."
    paragraphs = [part.strip() for part in render(text).split("\n\n") if part.strip()]
    assert paragraphs == ["The decomposition", "W = U Σ Vᵀ", "holds."]


def test_unknown_commands_are_kept_and_listed() -> None:
    text = r"See $\fancy{x} + \alpha$ and $\weird$."
    assert render(text) == r"See \fancy{x} + α and \weird."
    assert unknown_commands(text) == ["\\fancy", "\\weird"]


def test_unbalanced_input_does_not_raise() -> None:
    for latex in (r"\frac{a", "x^", "{{{", r"\sqrt", "}", "_{", "\\"):
        assert isinstance(latex_to_unicode(latex), str)


def _as_markdown_shows(text: str) -> str:
    """What a learner reads once the prose's Markdown is drawn (no colours, one long line)."""
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(width=200, color_system=None, record=True)
    console.print(Markdown(render(text, markdown=True)))
    return " ".join(console.export_text().split())


def test_formulas_keep_their_underscores_and_stars_through_markdown():
    # Each of these once came out with a subscript eaten by Markdown's emphasis.
    assert "‖W − Wₖ‖_F = √(∑_(i > k) σᵢ²)" in _as_markdown_shows(
        r"the error $\|W - W_k\|_F = \sqrt{\sum_{i > k} \sigma_i^2}$; then _more_")
    assert "ℝ^(d_head)" in _as_markdown_shows(r"$z^h \in \mathbb{R}^{d_{head}}$ and _this_")
    assert "W_Vʰ W_Oʰ" in _as_markdown_shows(r"the map $W_V^h W_O^h$ decides")
    assert "a * b * c" in _as_markdown_shows(r"$a * b * c$")
    # Markdown outside the math still works.
    assert "_" not in _as_markdown_shows("an *emphasis* and _another_")


def test_a_word_as_a_subscript_reads_as_one_name():
    assert latex_to_unicode(r"d_{head}") == "d_head"
    assert latex_to_unicode(r"W_{QK}^h") == "W_QKʰ"
    assert latex_to_unicode(r"x_{i+1}") == "xᵢ₊₁"


def test_lesson_questions_write_their_math_between_dollars():
    # `W_V^h` outside $...$ reaches the learner as raw TeX.
    import re

    from grimoire.course.loader import load_lessons
    from grimoire.paths import lessons_dir

    raw_tex = re.compile(r"(?<![\w$\\`])[A-Za-z]+_[A-Za-z{]+\^")
    lessons, _problems = load_lessons(lessons_dir())
    found = []
    for lesson in lessons:
        for step in lesson.steps:
            for block in step.blocks:
                for text in [getattr(block, "question", ""), *(getattr(block, "choices", None)
                                                               or [])]:
                    outside = re.sub(r"\$[^$]*\$|`[^`]*`", "", text or "")
                    if raw_tex.search(outside):
                        found.append((lesson.id, text))
    assert not found

"""Outlines the spellbook shows: Python classes and functions, lesson keys and steps, headings."""

from __future__ import annotations

from pathlib import Path

from grimoire.outline import find_symbol, outline_text
from grimoire.ui import sourcefiles

PYTHON = '''"""Doc."""


class Familiar:
    @property
    def name(self) -> str:
        return "Lilith"

    async def answer(self):
        pass


def softmax(scores):
    return scores
'''

LESSON = """id: vectors
title: Vectors
setup: |
  E = 1
steps:
  - title: The embedding matrix
    blocks:
      - prose: |
          - title: not a step, only prose
  - title: "Cosine similarity"
    blocks: []

"""


def test_python_outline_has_classes_methods_and_decorated_lines():
    symbols = {s.qualname: s for s in outline_text(PYTHON, ".py")}
    assert list(symbols) == ["Familiar", "Familiar.name", "Familiar.answer", "softmax"]
    assert symbols["Familiar"].kind == "class" and symbols["Familiar"].line == 4
    assert symbols["Familiar.name"].line == 5  # the decorator's line, where the reader starts
    assert symbols["Familiar.name"].end_line == 7
    assert symbols["Familiar.answer"].kind == "method" and symbols["Familiar.answer"].depth == 1
    assert (symbols["softmax"].line, symbols["softmax"].end_line) == (13, 14)


def test_broken_python_has_an_empty_outline():
    assert outline_text("def broken(:\n", ".py") == []


def test_lesson_outline_has_keys_and_step_titles():
    symbols = outline_text(LESSON, ".yaml")
    assert [s.name for s in symbols] == ["id", "title", "setup", "steps",
                                         "The embedding matrix", "Cosine similarity"]
    first, second = symbols[4], symbols[5]
    assert (first.qualname, first.line, first.end_line) == ("steps.1", 6, 9)
    assert (second.qualname, second.line, second.end_line) == ("steps.2", 10, 11)


def test_markdown_and_toml_outlines():
    markdown = "# Title\n\ntext\n\n## Part\n\n```\n# not a heading\n```\n"
    assert [(s.name, s.depth) for s in outline_text(markdown, ".md")] == [("Title", 0), ("Part", 1)]
    toml = "[project]\nname = 'x'\n\n[tool.ruff]\nline-length = 100\n"
    assert [(s.name, s.line, s.end_line) for s in outline_text(toml, ".toml")] == [
        ("project", 1, 2), ("tool.ruff", 4, 5)]


def test_find_symbol_by_qualified_or_unique_short_name(tmp_path: Path):
    page = tmp_path / "spells.py"
    page.write_text(PYTHON)
    assert find_symbol(page, "Familiar.answer").line == 9
    assert find_symbol(page, "answer").qualname == "Familiar.answer"
    assert find_symbol(page, "nothing") is None


def test_caches_bytecode_and_bundle_are_hidden(tmp_path: Path, monkeypatch):
    package = tmp_path / "grimoire"
    for name in ("spell.py", "__pycache__/spell.cpython-311.pyc", "_bundle/lessons/01-x.yaml",
                 "model/weights.npz", ".hidden"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x")
    monkeypatch.setattr(sourcefiles.paths, "source_roots", lambda: {"grimoire": package})
    shown = [entry.shown for entry in sourcefiles.all_files()]
    assert shown == ["grimoire/model/weights.npz", "grimoire/spell.py"]


def test_module_names_of_pages():
    assert sourcefiles.module_name("grimoire/ui/app.py") == "grimoire.ui.app"
    assert sourcefiles.module_name("grimoire/__init__.py") == "grimoire"
    assert sourcefiles.module_name("lessons/01-x.yaml") is None

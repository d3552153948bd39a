"""A long page's outline, read a piece at a time, is the outline the whole page gives."""

from __future__ import annotations

from grimoire import paths
from grimoire.outline import outline_in_pieces, outline_text

TRICKY = '''\
"""A docstring whose lines look like code:
def not_a_function():
class NotAClass:
"""


@decorated
def first(x):
    text = """
def inside_a_string():
"""
    return text


class Second:
    def method(self):
        return [
1, 2]


async def third():
    pass
'''


def test_every_page_of_the_grimoire_reads_the_same_in_pieces() -> None:
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert outline_in_pieces(text, ".py") == outline_text(text, ".py"), path


def test_cuts_inside_strings_and_brackets_are_mended() -> None:
    symbols = outline_in_pieces(TRICKY, ".py")
    assert symbols == outline_text(TRICKY, ".py")
    assert [s.qualname for s in symbols] == ["first", "Second", "Second.method", "third"]


def test_a_page_that_does_not_parse_has_no_outline_either_way() -> None:
    broken = "def fine():\n    pass\n\ndef broken(:\n    pass\n"
    assert outline_in_pieces(broken, ".py") == outline_text(broken, ".py") == []


def test_other_pages_are_read_whole() -> None:
    text = "# Title\n\n## Part\n\ntext\n"
    assert outline_in_pieces(text, ".md") == outline_text(text, ".md")

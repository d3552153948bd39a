"""docs/lesson-format.md and schema.py tell the same story: every key, every block kind."""

from __future__ import annotations

import re
from pathlib import Path

from grimoire.course.schema import BLOCKS, KEYS

DOC = Path(__file__).resolve().parents[3] / "docs" / "lesson-format.md"


def key_rows() -> list[tuple[str, set[str], set[str]]]:
    """(where, keys in the Key column, keys named anywhere in the row) of the Keys table."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## Keys", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("Where", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0], set(re.findall(r"`(\w+)", cells[1])),
                     set(re.findall(r"`(\w+)", " ".join(cells[1:])))))
    return rows


def test_every_key_of_the_schema_is_documented_where_it_belongs() -> None:
    rows = key_rows()
    documented: dict[str, set[str]] = {}
    for where, keys, named in rows:
        documented.setdefault(where, set()).update(keys)
        if where == "block":
            for kind in keys & set(BLOCKS):
                documented.setdefault(kind, set()).update(named)
    for where in ("lesson", "step", "choice", "wrong"):
        assert set(KEYS[where]) <= documented.get(where, set()), where
    assert set(BLOCKS) <= documented["block"]
    for kind in BLOCKS:
        assert set(KEYS[kind]) - {kind} <= documented.get(kind, set()), kind


def test_the_doc_names_no_key_the_loader_refuses() -> None:
    known = {key for keys in KEYS.values() for key in keys} | set(BLOCKS)
    for where, keys, _ in key_rows():
        assert keys <= known, f"docs/lesson-format.md documents {keys - known} under {where}"

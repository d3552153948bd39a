"""The lesson loader: every malformed lesson is named with its line, and nothing else escapes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grimoire.course.loader import (
    find_lesson,
    lesson_summaries,
    load_lesson,
    load_lessons,
)
from grimoire.course.schema import Code, Exercise, LessonError, Prose, Quiz, Source

HERE = Path(__file__).parent
BAD = HERE / "lessons_bad"
EXAMPLE_DIR = HERE.parents[1] / "data" / "example-lessons"
EXAMPLE = EXAMPLE_DIR / "01-example.yaml"

_EXPECT = re.compile(r"# expect (\d+): (.*)")


def _expectation(path: Path) -> tuple[int, str] | None:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    match = _EXPECT.match(first)
    return (int(match.group(1)), match.group(2)) if match else None


LOAD_BAD = sorted(p for p in BAD.glob("*.yaml") if _expectation(p))


@pytest.mark.parametrize("path", LOAD_BAD, ids=lambda p: p.stem)
def test_each_malformed_lesson_is_named_with_its_line(path: Path) -> None:
    line, sentence = _expectation(path)  # type: ignore[misc]
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    problems = caught.value.problems
    assert any(p.line == line and sentence in p.message for p in problems), [
        str(p) for p in problems
    ]
    for problem in problems:
        assert problem.file.endswith(path.name)
        assert problem.message[0].isupper() or problem.message[0] in "'\\{:"
        assert problem.message.endswith((".", "?"))
        assert "Traceback" not in problem.message


def test_the_corpus_covers_many_mistakes() -> None:
    assert len(LOAD_BAD) >= 25


def test_example_lesson_loads_with_every_kind_of_block() -> None:
    lesson = load_lesson(EXAMPLE)
    assert (lesson.id, lesson.number, lesson.minutes) == ("example", 1, 5)
    kinds = [type(block) for step in lesson.steps for block in step.blocks]
    for kind in (Prose, Code, Quiz, Exercise, Source):
        assert kind in kinds
    prose = lesson.steps[0].blocks[0]
    assert isinstance(prose, Prose)
    lines = EXAMPLE.read_text().splitlines()
    placeholder = prose.placeholders()[1]
    assert (placeholder.expression, placeholder.format_spec) == ("length**2", ".1f")
    assert "{{ length**2:.1f }}" in lines[prose.line_at(placeholder.start) - 1]
    code = lesson.steps[0].blocks[1]
    assert isinstance(code, Code)
    assert lines[code.code_line - 1].strip() == code.code.splitlines()[0]
    assert lines[lesson.setup_line - 1].strip() == lesson.setup.splitlines()[0]  # type: ignore[union-attr]


def _write(folder: Path, name: str, lesson_id: str, requires: list[str] | None = None) -> Path:
    text = yaml.safe_dump({
        "id": lesson_id, "title": f"Lesson {lesson_id}", "summary": "Short.",
        "requires": requires or [], "minutes": 3,
        "steps": [{"title": "Only", "blocks": [{"prose": "Words."}]}],
    }, sort_keys=False)
    path = folder / name
    path.write_text(text)
    return path


def test_folder_load_reports_all_problems_and_keeps_good_lessons(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "01-example.yaml")
    _write(tmp_path, "02-alpha.yaml", "alpha", ["example"])
    _write(tmp_path, "03-beta.yaml", "beta", ["gamma"])
    _write(tmp_path, "04-gamma.yaml", "gamma", ["beta"])
    _write(tmp_path, "05-delta.yaml", "delta", ["exmaple"])
    shutil.copy(BAD / "02-unknown-key.yaml", tmp_path / "06-unknown-key.yaml")
    (tmp_path / "06-unknown-key.yaml").write_text(
        (BAD / "02-unknown-key.yaml").read_text().replace("id: unknown-key", "id: unknown-key"))
    lessons, problems = load_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["example", "alpha"]
    messages = [p.message for p in problems]
    assert any("go round in a circle: beta -> gamma -> beta" in m or
               "go round in a circle: gamma -> beta -> gamma" in m for m in messages)
    assert any("'exmaple' in 'requires' is not a lesson id; did you mean 'example'?" in m
               for m in messages)
    assert any(p.file.endswith("06-unknown-key.yaml") for p in problems)
    delta = next(p for p in problems if "exmaple" in p.message)
    assert delta.line == 5  # the `- exmaple` item of requires, as safe_dump writes it


def test_duplicate_ids_are_reported_at_the_second_file(tmp_path: Path) -> None:
    _write(tmp_path, "01-same.yaml", "same")
    twin = _write(tmp_path, "02-same.yaml", "same")
    lessons, problems = load_lessons(tmp_path)
    assert [lesson.id for lesson in lessons] == ["same"]
    assert len(problems) == 1
    assert problems[0].file.endswith(twin.name) and problems[0].line == 1
    assert "already used by 01-same.yaml" in problems[0].message


def test_self_requirement_is_a_problem(tmp_path: Path) -> None:
    _write(tmp_path, "01-selfish.yaml", "selfish", ["selfish"])
    lessons, problems = load_lessons(tmp_path)
    assert lessons == [] and "requires itself" in problems[0].message


def test_summaries_are_ordered_by_number_and_skip_broken_files(tmp_path: Path) -> None:
    _write(tmp_path, "10-later.yaml", "later")
    _write(tmp_path, "02-earlier.yaml", "earlier")
    (tmp_path / "03-broken.yaml").write_text("id: [unclosed\n")
    summaries = lesson_summaries(tmp_path)
    assert [(s.number, s.id, s.n_steps) for s in summaries] == [(2, "earlier", 1), (10, "later", 1)]


def test_summaries_and_loader_do_not_import_numpy() -> None:
    code = (
        "import sys\n"
        "from grimoire.course.loader import lesson_summaries, load_lessons\n"
        "from grimoire.course import progress\n"
        f"assert lesson_summaries({str(EXAMPLE_DIR)!r})\n"
        f"load_lessons({str(EXAMPLE_DIR)!r})\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_find_lesson_by_id_path_and_typo() -> None:
    assert find_lesson("example", EXAMPLE_DIR) == EXAMPLE_DIR / "01-example.yaml"
    assert find_lesson(str(EXAMPLE)) == EXAMPLE
    with pytest.raises(LessonError) as caught:
        find_lesson("exampel", EXAMPLE_DIR)
    assert "Did you mean 'example'?" in caught.value.problems[0].message


def test_lessons_command_prints_number_id_and_title(capsys: pytest.CaptureFixture[str]) -> None:
    from grimoire.cli import main

    assert main(["--lessons", str(EXAMPLE_DIR), "lessons"]) == 0
    assert capsys.readouterr().out.strip() == "01  example  A small example lesson"


# -- property: whatever the YAML, only LessonError comes out ---------------------------------

_KEYS = ["id", "title", "summary", "requires", "minutes", "setup", "steps", "blocks", "prose",
         "code", "quiz", "exercise", "source", "choices", "answer", "numeric", "path", "symbol",
         "lines", "timeout", "question", "explanation", "starter", "check", "solution", "hints",
         "tolerance", "x"]
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**20), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["grimoire/paths.py", "resolve_source", "{{ x }}",
                                           "{{", "$\\frac{a}", "ok", "x = 1"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5)),
    max_leaves=20,
)
_RANDOM_YAML = st.one_of(
    st.text(max_size=200),
    st.builds(lambda v: yaml.safe_dump(v, allow_unicode=True), _VALUES),
    st.builds(
        lambda v: yaml.safe_dump(dict(v, id="fuzz"), allow_unicode=True),
        st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=7),
    ),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    # Lesson-shaped documents, so the walk reaches steps and every kind of block.
    st.builds(
        lambda steps: yaml.safe_dump({"id": "fuzz", "title": "Fuzz", "summary": "s",
                                      "minutes": 1, "steps": steps}, allow_unicode=True),
        st.lists(st.fixed_dictionaries({
            "title": _SCALARS,
            "blocks": st.lists(st.dictionaries(
                st.sampled_from(["prose", "code", "quiz", "exercise", "source", "timeout"]),
                _VALUES, min_size=1, max_size=2), max_size=3),
        }), max_size=2),
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_RANDOM_YAML)
def test_random_yaml_never_escapes_as_anything_but_a_lesson_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "01-fuzz.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_lesson(path)
        except LessonError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.message and "\n" not in problem.message.strip()


def test_deeply_nested_yaml_is_a_lesson_error(tmp_path: Path) -> None:
    path = tmp_path / "01-deep.yaml"
    path.write_text("id: deep\nsteps: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(LessonError):
        load_lesson(path)


def test_a_quoted_value_with_line_breaks_stays_one_line(tmp_path: Path) -> None:
    # Found by the fuzz test above: a whole file that is a block of text.
    path = tmp_path / "01-block.yaml"
    path.write_text("|\n  first\n  second\n", encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    (problem,) = caught.value.problems
    assert "\n" not in problem.message and "first⏎second" in problem.message

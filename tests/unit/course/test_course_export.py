"""`grimoire export`: the learner's own session as Markdown and as a notebook that runs again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

# Runs a notebook's code cells top to bottom in one namespace, as Jupyter's "Run all" would;
# a cell tagged raises-exception (one the learner left failing) may raise.
RUN_ALL = r"""
import json, sys
notebook = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
ran = 0
for index, cell in enumerate(notebook["cells"]):
    if cell["cell_type"] != "code":
        continue
    source = "".join(cell["source"])
    try:
        exec(compile(source, f"<cell {index}>", "exec"), namespace)
    except Exception:
        if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
            raise
    ran += 1
print("ran", ran, "cells")
"""


def grimoire(*args: str, home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grimoire", *args], input=stdin,
                          capture_output=True, text=True, timeout=240, check=False, cwd=REPO,
                          env=dict(os.environ, GRIMOIRE_HOME=str(home), PYTHONPATH=str(REPO)))


def test_a_notebook_export_validates_and_runs_again_top_to_bottom(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    home = tmp_path / "home"
    # The learner answers the first question (right) and stops.
    grimoire("learn", "vectors", "--plain", home=home, stdin="1\nq\n")
    out = tmp_path / "vectors.ipynb"
    done = grimoire("export", "vectors", "--to", "ipynb", "-o", str(out), home=home)
    assert done.returncode == 0, done.stderr
    notebook = nbformat.read(str(out), as_version=4)
    nbformat.validate(notebook)
    text = out.read_text()
    assert "Your answer: 1. `E[ids]` — right (1 try)" in text
    assert "drawn again from its numbers" in text
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert any(o.get("output_type") == "stream" for c in code for o in c.outputs)
    # A fresh Python: only numpy and the package (and nothing of this test's process).
    ran = subprocess.run([sys.executable, "-c", RUN_ALL, str(out)], capture_output=True,
                         text=True, timeout=240, check=False, cwd=tmp_path,
                         env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(REPO),
                              "OPENBLAS_NUM_THREADS": "1", "HOME": str(tmp_path)})
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert f"ran {len(code)} cells" in ran.stdout


def test_a_markdown_export_holds_the_learners_own_code_and_live_numbers(tmp_path):
    home = tmp_path / "home"
    progress = {"version": 1, "last_lesson": "vectors", "lessons": {"vectors": {
        "steps_done": [0], "answers": {}, "hints_used": {},
        "code": {"0.1": 'print("my own line", 6 * 7)\n'}, "position": [0, 0], "opened": 0}}}
    home.mkdir()
    (home / "progress.json").write_text(json.dumps(progress))
    done = grimoire("export", "vectors", home=home)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("# Lesson 01: Vectors and embeddings")
    assert "Code (your edit):" in out and "my own line 42" in out
    assert "{{" not in out and "…" not in out.split("## Step 2")[0]
    assert "Not answered." in out and "Not attempted" in out


"""A sparse dictionary of the model's residual stream: non-negative ISTA codes, least-squares atoms.

Each residual vector x (a row, d_model wide, taken where the stream enters layer 1) is first
centred and scaled, x̃ = (x - mean) / scale, then written as a sparse, non-negative mix of unit
atoms, the rows of D (n_atoms, d_model):

    x̃ ≈ a @ D,   a >= 0 and mostly zero,   found by minimising ½‖x̃ - a D‖² + λ Σ a.

The codes come from ISTA (Daubechies, Defrise and De Mol 2004): a gradient step on the squared
error, then the soft threshold, here one-sided because the codes are non-negative. Encoding from
scratch uses its accelerated form FISTA (Beck and Teboulle 2009). The atoms are refit by least
squares given the codes (the "method of optimal directions", Engan, Aase and Husøy 1999), then
scaled back to unit length; atoms no vector uses are reborn as the worst-reconstructed vectors.

`grimoire train --task dictionary` trains it at build time (about a minute; deterministic: one
seed, and the same bytes on the same machine) and writes `dictionary.npz` beside the weights, with the SHA-256 of the weights file it
was trained on, so `Dictionary.is_current()` can tell when the model has been retrained since.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grimoire.model.gpt import WEIGHTS_PATH, forward

if TYPE_CHECKING:
    from collections.abc import Callable

    from grimoire.model.gpt import GPT

DICTIONARY_PATH = Path(__file__).resolve().parent / "dictionary.npz"
"""The shipped dictionary, trained on the shipped weights."""

FORMAT = "grimoire-dictionary/1"
"""The `format` field of a dictionary file's metadata."""

RESIDUAL_KEY = "blocks.1.resid_pre"
"""The trace key of the residual vectors the dictionary describes: the stream between the blocks."""


class DictionaryFileError(ValueError):
    """A dictionary file that cannot be used; the message is one sentence naming the file."""


@dataclass(frozen=True)
class DictionaryRecipe:
    """Everything that decides the trained dictionary, apart from the model and its text."""

    n_atoms: int = 256
    penalty: float = 0.1
    steps: int = 80
    code_iters: int = 10
    encode_iters: int = 100
    n_windows: int = 160
    heldout_windows: int = 24
    skip_positions: int = 4
    seed: int = 2024


DICTIONARY_RECIPE = DictionaryRecipe()
"""The shipped dictionary's recipe."""


# --- The algorithms -----------------------------------------------------------------------------


def shrink(values: np.ndarray, threshold: float) -> np.ndarray:
    """The one-sided soft threshold max(v - t, 0): the proximal map of t·Σa with a >= 0."""
    return np.maximum(values - threshold, 0.0)


def lipschitz(atoms: np.ndarray) -> float:
    """‖D‖₂², the Lipschitz constant of the codes' gradient (A D - X) Dᵀ; 1/it is a safe step."""
    return float(np.linalg.norm(atoms, 2) ** 2)


def ista_step(
    codes: np.ndarray, target: np.ndarray, atoms: np.ndarray, penalty: float, step: float
) -> np.ndarray:
    """One ISTA step for ½‖X - A D‖² + λ ΣA, A >= 0: gradient step of size `step`, then shrink."""
    gradient = (codes @ atoms - target) @ atoms.T
    return shrink(codes - step * gradient, step * penalty)


def sparse_codes(
    target: np.ndarray,
    atoms: np.ndarray,
    penalty: float,
    iters: int = 100,
    codes: np.ndarray | None = None,
    accelerated: bool = True,
) -> np.ndarray:
    """Non-negative sparse codes A (N, n_atoms) of rows X (N, d) over atoms D: X ≈ A D.

    `iters` steps of FISTA (or plain ISTA with accelerated=False), from `codes` if given (a warm
    start) else from zero. Each step costs two products with D.
    """
    step = 1.0 / lipschitz(atoms)
    current = np.zeros((target.shape[0], atoms.shape[0]), target.dtype) if codes is None else codes
    if not accelerated:
        for _ in range(iters):
            current = ista_step(current, target, atoms, penalty, step)
        return current
    momentum, previous = 1.0, current
    for _ in range(iters):
        following = ista_step(current, target, atoms, penalty, step)
        next_momentum = (1.0 + np.sqrt(1.0 + 4.0 * momentum * momentum)) / 2.0
        # Beck and Teboulle's extrapolation: look ahead along the last move.
        current = following + ((momentum - 1.0) / next_momentum) * (following - previous)
        previous, momentum = following, next_momentum
    return previous


def fit_atoms(target: np.ndarray, codes: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """The atoms D minimising ‖X - A D‖² (+ a small ridge so unused atoms do not divide by 0)."""
    gram = codes.T @ codes
    gram[np.diag_indices_from(gram)] += ridge
    return np.linalg.solve(gram, codes.T @ target).astype(target.dtype)


def relative_error(target: np.ndarray, approximation: np.ndarray) -> float:
    """‖X - X̂‖²_F / ‖X‖²_F: the fraction of the (centred) signal's energy left unexplained."""
    return float(((target - approximation) ** 2).sum() / (target**2).sum())


def train_atoms(
    target: np.ndarray,
    n_atoms: int,
    penalty: float,
    steps: int,
    code_iters: int = 10,
    seed: int = 0,
    on_step: Callable[[int, float, float], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Learn unit atoms D (n_atoms, d) for rows X (N, d); returns (D, codes, error per step).

    Alternates a few warm-started ISTA steps on the codes with a least-squares refit of the
    atoms. Starts from randomly chosen data rows; `on_step(step, error, active)` reports the
    relative error and the mean number of active atoms per row.
    """
    rng = np.random.default_rng(seed)
    chosen = rng.choice(target.shape[0], size=n_atoms, replace=target.shape[0] < n_atoms)
    atoms = target[chosen] + 0.01 * rng.standard_normal((n_atoms, target.shape[1]))
    atoms = (atoms / np.linalg.norm(atoms, axis=1, keepdims=True)).astype(target.dtype)
    codes = np.zeros((target.shape[0], n_atoms), target.dtype)
    errors: list[float] = []
    for step in range(steps):
        codes = sparse_codes(target, atoms, penalty, code_iters, codes, accelerated=False)
        refit = fit_atoms(target, codes)
        norms = np.linalg.norm(refit, axis=1)
        used = (codes > 0).sum(axis=0) > 0
        alive = used & (norms > 1e-8)
        atoms = np.where(alive[:, None], refit / np.maximum(norms, 1e-8)[:, None], atoms)
        # Keep A D unchanged by the rescaling: the codes carry the atoms' lengths.
        codes = codes * np.where(alive, norms, 1.0)[None, :]
        dead = np.flatnonzero(~alive)
        if dead.size and step < steps - 1:
            residual = ((target - codes @ atoms) ** 2).sum(axis=1)
            worst = np.argsort(residual)[::-1][: dead.size]
            reborn = target[worst] / np.linalg.norm(target[worst], axis=1, keepdims=True)
            atoms[dead] = reborn
            codes[:, dead] = 0.0
        errors.append(relative_error(target, codes @ atoms))
        if on_step is not None:
            on_step(step, errors[-1], float((codes > 0).sum(axis=1).mean()))
    return atoms, codes, errors


# --- The residual vectors -----------------------------------------------------------------------


@dataclass
class Residuals:
    """Residual vectors (N, d) at RESIDUAL_KEY, with the character each was read at and before."""

    vectors: np.ndarray
    chars: list[str]
    contexts: list[str]


def residual_vectors(
    model: GPT, text: str, n_windows: int, seed: int, skip_positions: int = 4
) -> Residuals:
    """The residual stream entering layer 1 over `n_windows` random windows of `text`.

    Each window is n_ctx characters; its first `skip_positions` positions are left out (they see
    almost no context, and position 0 is an outlier in every model). `contexts` holds the eight
    characters up to and including each vector's own character.
    """
    rng = np.random.default_rng(seed)
    n_ctx = model.config.n_ctx
    if len(text) <= n_ctx:
        raise ValueError(f"The text is {len(text)} characters; the windows need more than {n_ctx}.")
    starts = rng.integers(0, len(text) - n_ctx, size=n_windows)
    windows = [text[s : s + n_ctx] for s in starts]
    ids = np.stack([model.encode(w) for w in windows])
    vectors = []
    for first in range(0, n_windows, 32):  # batches of 32 windows keep the trace small
        _, trace = forward(model.params, model.config, ids[first : first + 32], trace=True)
        vectors.append(trace[RESIDUAL_KEY][:, skip_positions:].reshape(-1, model.config.d_model))
    chars, contexts = [], []
    for window in windows:
        for t in range(skip_positions, n_ctx):
            chars.append(window[t])
            contexts.append(window[max(0, t - 7) : t + 1])
    return Residuals(np.concatenate(vectors), chars, contexts)


# --- The dictionary object, its file ------------------------------------------------------------


def weights_sha256(path: str | Path = WEIGHTS_PATH) -> str:
    """SHA-256 (hex) of a weights file's bytes: which model a dictionary belongs to."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Dictionary:
    """Unit atoms (n_atoms, d_model), the centring and scale, the penalty λ, and metadata."""

    atoms: np.ndarray
    mean: np.ndarray
    scale: float
    penalty: float
    meta: dict = field(default_factory=dict)

    @property
    def n_atoms(self) -> int:
        """How many atoms (features) the dictionary holds."""
        return int(self.atoms.shape[0])

    def normalise(self, residuals: np.ndarray) -> np.ndarray:
        """(x - mean) / scale: the coordinates the atoms live in."""
        return (np.asarray(residuals, np.float32) - self.mean) / np.float32(self.scale)

    def encode(self, residuals: np.ndarray, iters: int | None = None) -> np.ndarray:
        """Sparse non-negative codes (N, n_atoms) of residual rows (N, d_model), by FISTA."""
        if iters is None:
            iters = int(self.meta.get("encode_iters", 100))
        return sparse_codes(self.normalise(residuals), self.atoms, self.penalty, iters)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Residual rows rebuilt from codes: codes @ atoms, scaled back and un-centred."""
        return (codes @ self.atoms) * np.float32(self.scale) + self.mean

    def is_current(self, weights_path: str | Path = WEIGHTS_PATH) -> bool:
        """Whether the dictionary was trained on the weights file now at `weights_path`."""
        path = Path(weights_path)
        return path.is_file() and self.meta.get("weights_sha256") == weights_sha256(path)


def save_dictionary(dictionary: Dictionary, path: str | Path) -> None:
    """Write atoms, mean and metadata to an .npz whose bytes depend only on their contents."""
    meta = dict(dictionary.meta)
    meta.update({"format": FORMAT, "scale": float(dictionary.scale),
                 "penalty": float(dictionary.penalty)})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    entries = [
        ("meta", np.array([json.dumps(meta, sort_keys=True, ensure_ascii=True)])),
        ("atoms", dictionary.atoms.astype(np.float32)),
        ("mean", dictionary.mean.astype(np.float32)),
    ]
    # Fixed zip timestamps, as for the weights: the same dictionary gives the same bytes.
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in entries:
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, np.ascontiguousarray(array), allow_pickle=False)
    tmp.replace(path)


def load_dictionary(path: str | Path | None = None) -> Dictionary:
    """The shipped dictionary (path None) or a dictionary file; DictionaryFileError if unusable."""
    path = Path(DICTIONARY_PATH if path is None else path)
    name = str(path)
    if not path.is_file():
        raise DictionaryFileError(
            f"The dictionary file {name} does not exist; 'grimoire train --task dictionary' "
            "makes it."
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        meta = json.loads(str(arrays["meta"].reshape(-1)[0]))
        atoms, mean = arrays["atoms"], arrays["mean"]
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        raise DictionaryFileError(
            f"The dictionary file {name} cannot be read: it is truncated or not a dictionary."
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DictionaryFileError(f"The dictionary file {name} is not in format {FORMAT!r}.")
    if atoms.ndim != 2 or mean.shape != (atoms.shape[1],) or atoms.dtype != np.float32:
        raise DictionaryFileError(
            f"The dictionary file {name} holds atoms {atoms.shape} and a mean {mean.shape} "
            "that do not fit together."
        )
    return Dictionary(atoms, mean, float(meta["scale"]), float(meta["penalty"]), meta)


# --- Build-time training ------------------------------------------------------------------------


def train_dictionary(
    recipe: DictionaryRecipe = DICTIONARY_RECIPE,
    weights_path: str | Path = WEIGHTS_PATH,
    progress: bool = True,
) -> Dictionary:
    """Train the dictionary on residual vectors of the model at `weights_path` over its own text."""
    from grimoire.model.corpus import build_corpus
    from grimoire.model.gpt import load_model

    model = load_model(weights_path)
    train_text, heldout_text = build_corpus()
    train = residual_vectors(model, train_text, recipe.n_windows, recipe.seed, recipe.skip_positions)
    mean = train.vectors.mean(axis=0)
    centred = train.vectors - mean
    scale = float(np.sqrt((centred**2).sum(axis=1).mean()))
    target = (centred / np.float32(scale)).astype(np.float32)

    started = time.monotonic()

    def report(step: int, error: float, active: float) -> None:
        if progress and ((step + 1) % max(1, recipe.steps // 10) == 0 or step + 1 == recipe.steps):
            print(
                f"dictionary step {step + 1}/{recipe.steps}  relative error {error:.4f}  "
                f"active atoms {active:.1f}  {time.monotonic() - started:.0f}s",
                file=sys.stderr,
            )

    atoms, _, errors = train_atoms(
        target, recipe.n_atoms, recipe.penalty, recipe.steps, recipe.code_iters, recipe.seed,
        report,
    )
    dictionary = Dictionary(atoms, mean.astype(np.float32), scale, recipe.penalty)
    dictionary.meta = {"encode_iters": recipe.encode_iters}
    # Figures on held-out text, measured the way the lesson and the tests measure them.
    heldout = residual_vectors(
        model, heldout_text, recipe.heldout_windows, recipe.seed + 1, recipe.skip_positions
    )
    codes = dictionary.encode(heldout.vectors)
    held_target = dictionary.normalise(heldout.vectors)
    active = (codes > 0).sum(axis=1)
    dictionary.meta = {
        "encode_iters": recipe.encode_iters,
        "recipe": asdict(recipe),
        "residual_key": RESIDUAL_KEY,
        "weights_sha256": weights_sha256(weights_path),
        "n_train_vectors": int(target.shape[0]),
        "train_relative_error": errors[-1],
        "heldout_relative_error": relative_error(held_target, codes @ atoms),
        "heldout_mean_active": float(active.mean()),
        "heldout_max_fire_rate": float((codes > 0).mean(axis=0).max()),
        "command": "grimoire train --task dictionary",
    }
    return dictionary

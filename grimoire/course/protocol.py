"""The conversation between the app and its kernel: one JSON object a line, each way.

The app sends requests; the kernel answers each with a reply carrying the request's `id`.

    app -> kernel   {"op": "run", "id": 7, "code": "x = 1\\nx", "name": "<cell>"}
    kernel -> app   {"op": "reply", "id": 7, "stdout": "", "value": "1", "error": null, ...}

Before its first reply the kernel says once that it is `ready` (numpy and the model are
loaded), or that it `failed` to start.
"""

from __future__ import annotations

import json
from typing import Any

RUN = "run"
"""Run a cell in the lesson's namespace. Fields: code, name. Reply: a CellResult's fields."""
EXERCISE = "exercise"
"""The learner's attempt, then the check, in a copy of the namespace. Fields: code, check.
Reply: cell (a CellResult's fields), check (the same, or null when the attempt failed)."""
EVAL = "eval"
"""Values of prose placeholders. Fields: expressions ([expression, format spec] pairs).
Reply: answers (per expression: text and value, or error, message and name)."""
RESET = "reset"
"""A fresh namespace with np, la, model, show and load_model. Reply: model_error."""
FINGERPRINT = "fingerprint"
"""A digest of each named value (all the namespace's when names is null), to tell whether a
step changed the model or the setup's values. Fields: names. Reply: digests (by name)."""
MODULES = "modules"
"""Which of the Grimoire's modules the kernel has imported. Reply: modules (their names)."""

REQUESTS: dict[str, tuple[str, ...]] = {
    RUN: ("code", "name"),
    EXERCISE: ("code", "check"),
    EVAL: ("expressions",),
    RESET: (),
    FINGERPRINT: ("names",),
    MODULES: (),
}
"""Every request the kernel understands, with the fields it carries besides op and id."""

READY = "ready"
"""The kernel is warm. Fields: seconds (how long warming took), model_error (or null)."""
FAILED = "failed"
"""The kernel could not start. Fields: message."""
REPLY = "reply"
"""The answer to the request with the same id."""


def request(op: str, id: int, **fields: Any) -> dict[str, Any]:
    """A request message, checked against REQUESTS so a typo fails here, not in the child."""
    expected = REQUESTS[op]
    if set(fields) != set(expected):
        raise ValueError(f"a {op!r} request carries {expected}, not {tuple(fields)}")
    return {"op": op, "id": id, **fields}


def encode(message: dict[str, Any]) -> bytes:
    """One message as one line of UTF-8 JSON."""
    return json.dumps(message, default=str).encode("utf-8") + b"\n"


def decode(line: bytes) -> dict[str, Any] | None:
    """One line back into a message; None for a line that is not one."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None

"""The playground: the shipped model continues a prompt and shows odds, attention, embeddings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from grimoire.model import load_model
from grimoire.ui.app import GrimoireApp, StartRequest
from grimoire.ui.screens.map import MapScreen
from grimoire.ui.screens.playground import PlaygroundScreen, read_prompt
from grimoire.ui.widgets.bars import Bars
from grimoire.ui.widgets.heatmap import Heatmap
from grimoire.ui.widgets.stepper import Stepper


async def wait_for(pilot: Pilot, condition: Callable[[], bool], limit: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "the playground never reached the expected state"
        await pilot.pause(0.05)


def test_reading_a_prompt_matches_the_model() -> None:
    import numpy as np

    model = load_model()
    prompt = "the spell"
    reading = read_prompt(model, prompt, cursor=4, layer=1, head=2)
    logits, trace = model.forward(model.encode(prompt), trace=True)
    probabilities = np.exp(logits[3] - logits[3].max())
    probabilities /= probabilities.sum()
    best = int(np.argmax(probabilities))
    character, probability = reading.next_characters[0]
    assert character == model.tokenizer.vocab[best]
    assert np.isclose(probability, probabilities[best])
    assert reading.character == " " and reading.before == "the "
    assert np.allclose(reading.pattern, trace["blocks.1.attn.pattern"][2])
    assert reading.pattern_labels == list(prompt)
    embeddings = model.params["wte"]
    token = model.encode(" ")[0]
    nearest_char, cosine = reading.nearest[0]
    other = embeddings[model.encode(nearest_char)[0]]
    expected = other @ embeddings[token] / np.linalg.norm(other) / np.linalg.norm(
        embeddings[token])
    assert np.isclose(cosine, expected, atol=1e-5)


async def test_playground_writes_streaming_and_follows_the_cursor() -> None:
    app = GrimoireApp(StartRequest(screen="playground"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen)
                       and app.screen.model is not None)
        screen = app.screen
        bars = screen.query_one("#next-characters", Bars)
        await wait_for(pilot, lambda: bool(bars.display_data.get("values")))
        assert len(bars.values()) == 10
        assert abs(sum(bars.values())) <= 1.0
        attention = screen.query_one("#attention", Heatmap)
        assert attention.display_data["cols"][-7:] == list("return ")
        assert attention.border_title == "attention · layer 0 · head 0"

        # Greedy writing is deterministic: the stream equals model.generate at temperature 0.
        temperature = screen.query_one("#temperature", Stepper)
        temperature.set_number(0)
        screen.pace = 0
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not screen.writing and len(screen.written) > 0)
        prompt = screen.query_one("#prompt", TextArea).text
        model = screen.model
        assert model is not None
        assert screen.written == model.generate(prompt, len(screen.written), temperature=0)
        shown = str(screen.query_one("#continuation-text", Static).render())
        assert screen.written[:20] in shown

        # Keep it, then move the cursor: the panels follow the character before it.
        written = screen.written
        await pilot.press("ctrl+k")
        assert screen.query_one("#prompt", TextArea).text == prompt + written
        assert screen.written == ""
        editor = screen.query_one("#prompt", TextArea)
        editor.load_text("abc")
        editor.move_cursor((0, 2))
        embedding = screen.query_one("#embedding", Heatmap)
        await wait_for(pilot, lambda: embedding.display_data.get("rows") == ["b"])
        assert len(embedding.display_data["values"][0]) == model.config.d_model
        assert "nearest to 'b'" in screen.query_one("#nearest", Bars).border_title

        # Another head: the attention picture follows.
        layer = screen.query_one("#layer", Stepper)
        layer.focus()
        await pilot.press("up")
        await wait_for(pilot, lambda: attention.border_title == "attention · layer 1 · head 0")
        await pilot.press(*["up"] * model.config.n_layer)
        assert layer.number == model.config.n_layer - 1  # it stops at the last layer

        # Shrink and grow: the panels go below the prompt (one column) and come back beside
        # it, showing what they showed.
        shown_before = bars.values()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        right = screen.query_one("#play-right")
        assert screen.query_one("#playground").has_class("-narrow")
        assert right.region.y >= screen.query_one("#play-left").region.bottom
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert not screen.query_one("#playground").has_class("-narrow")
        assert right.region.x > 0 and bars.values() == shown_before

        # Escape while idle goes back to the map.
        await pilot.press("escape")
        assert isinstance(app.screen, MapScreen)


async def test_escape_stops_the_familiar_mid_sentence() -> None:
    app = GrimoireApp(StartRequest(screen="playground"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen)
                       and app.screen.model is not None)
        screen = app.screen
        screen.pace = 0.05  # slow enough that escape surely comes before the 240th character
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(screen.written) >= 3)
        await pilot.press("escape")
        assert not screen.writing
        count = len(screen.written)
        await pilot.pause(0.3)
        assert len(screen.written) <= count + 1
        assert isinstance(app.screen, PlaygroundScreen)

"""The character tokenizer: round trips, the fallback token, and its count of replacements."""

import numpy as np
import pytest

from grimoire.model.tokenizer import FALLBACK, Tokenizer


def test_round_trip_of_known_text():
    tokenizer = Tokenizer.from_text("def f(x):\n    return x * 2  # ∑ é\n")
    text = "return f(x) # é"
    ids = tokenizer.encode(text)
    assert ids.dtype == np.int64
    assert tokenizer.decode(ids) == text


def test_vocabulary_is_fallback_then_code_point_order():
    tokenizer = Tokenizer.from_text("cba\nb")
    assert tokenizer.vocab == [FALLBACK, "\n", "a", "b", "c"]


def test_unknown_characters_become_the_fallback_and_are_counted():
    tokenizer = Tokenizer.from_text("abc")
    encoding = tokenizer.encode_counting("a?b!!")
    assert encoding.replaced == 3
    assert list(encoding.ids) == [1, 0, 2, 0, 0]
    assert tokenizer.decode(encoding.ids) == f"a{FALLBACK}b{FALLBACK}{FALLBACK}"


def test_a_literal_fallback_character_is_not_counted_as_replaced():
    tokenizer = Tokenizer.from_text("ab")
    assert tokenizer.encode_counting(FALLBACK + "a").replaced == 0


def test_empty_text_encodes_to_no_ids():
    assert Tokenizer.from_text("ab").encode("").size == 0


def test_a_vocabulary_without_the_fallback_first_is_refused():
    with pytest.raises(ValueError, match="fallback"):
        Tokenizer(["a", "b"])


def test_importing_the_model_package_does_not_load_numpy():
    import subprocess
    import sys

    code = "import sys, grimoire.model; print('numpy' in sys.modules)"
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_rare_characters_are_left_to_the_fallback() -> None:
    tokenizer = Tokenizer.from_text("aaab∑", min_count=2)
    assert tokenizer.vocab == [FALLBACK, "a"]
    encoding = tokenizer.encode_counting("ab∑")
    assert encoding.ids.tolist() == [1, 0, 0] and encoding.replaced == 2

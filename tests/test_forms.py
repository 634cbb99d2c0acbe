"""A word's forms (qa.text.forms): the inflections a stemmer cannot join."""

from __future__ import annotations

from qa.text.forms import forms
from qa.text.words import stems


def test_irregular_forms_join_their_lemma() -> None:
    assert {"won", "win"} <= forms("win")
    assert set(stems(["fell", "falling", "fallen"])) <= forms("fall")
    assert set(stems(["sued", "suing"])) <= forms("suing")
    assert set(stems(["men", "man"])) <= forms("men")


def test_a_word_without_inflections_is_its_own_form() -> None:
    assert forms("kashmir") == frozenset(stems(["kashmir"]))

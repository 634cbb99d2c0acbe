"""A word's forms (qa.text.forms): the inflections a stemmer cannot join."""

from __future__ import annotations

from qa.text.forms import adjectival, forms, nominal, verbal
from qa.text.words import stems


def test_irregular_forms_join_their_lemma() -> None:
    assert {"won", "win"} <= forms("win")
    assert set(stems(["fell", "falling", "fallen"])) <= forms("fall")
    assert set(stems(["sued", "suing"])) <= forms("suing")
    assert set(stems(["men", "man"])) <= forms("men")


def test_a_word_without_inflections_is_its_own_form() -> None:
    assert forms("kashmir") == frozenset(stems(["kashmir"]))


def test_a_word_only_ever_a_verb_or_an_adverb_is_verbal() -> None:
    assert all(verbal(w) for w in ("caused", "pardoned", "forbade", "largely"))
    # A word that may be a noun or an adjective, or a name the tables lack, is not.
    assert not any(verbal(w) for w in ("closed", "power", "embargo", "kashmir", "the"))


def test_a_word_only_ever_an_adjective_is_adjectival() -> None:
    assert adjectival("soft") and adjectival("political")
    assert not any(adjectival(w) for w in ("herbal", "power", "caused", "kashmir"))


def test_a_word_that_may_be_a_noun_is_nominal() -> None:
    assert nominal("power") and nominal("embargo") and nominal("troops")
    assert not any(nominal(w) for w in ("caused", "soft", "largely", "kashmir"))

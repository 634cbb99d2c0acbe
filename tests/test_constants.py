"""bench.constants: `--write` of bench.tune and bench.calibrate rewrites qa/answer/tuned.py."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

from bench.constants import TUNED_FILE, rewrite
from qa.answer import tuned


def test_rewritten_constants_load_and_the_rest_of_the_file_stays(tmp_path: Path) -> None:
    copy = tmp_path / "tuned.py"
    shutil.copy(TUNED_FILE, copy)
    weights = {name: round(value * 2, 2) for name, value in tuned.SENTENCE_WEIGHTS.items()}
    rewrite({"SENTENCE_WEIGHTS": weights, "NOT_FOUND_THRESHOLD": 0.41}, copy)

    loaded = runpy.run_path(str(copy))
    assert loaded["SENTENCE_WEIGHTS"] == weights
    assert list(loaded["SENTENCE_WEIGHTS"]) == list(tuned.SENTENCE_WEIGHTS)  # order kept
    assert loaded["NOT_FOUND_THRESHOLD"] == 0.41
    assert loaded["PASSAGE_WEIGHTS"] == tuned.PASSAGE_WEIGHTS
    assert loaded["NOT_FOUND_MODEL"] == tuned.NOT_FOUND_MODEL
    before, after = TUNED_FILE.read_text().splitlines(), copy.read_text().splitlines()
    assert [line for line in before if line.startswith("#")] == [
        line for line in after if line.startswith("#")
    ]  # every comment survives


def test_a_name_the_file_does_not_assign_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "tuned.py"
    shutil.copy(TUNED_FILE, copy)
    with pytest.raises(KeyError, match="NO_SUCH_WEIGHT"):
        rewrite({"NO_SUCH_WEIGHT": 1.0}, copy)
    assert copy.read_text() == TUNED_FILE.read_text()

"""bench.synthesize: a real index replicated, searchable like a built one."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.synthesize import synthesize_index
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.reader import LocalIndex
from tests.conftest import SEED_QUESTION


def test_a_synthesized_index_carries_every_copy_s_sentences(
    seed_index: Settings, tmp_path: Path, embedder: Embedder
) -> None:
    base = LocalIndex(seed_index.index_dir)
    target = tmp_path / "synthesized"
    made = synthesize_index(seed_index.index_dir, target, 3 * base.chunk_count, seed_index)
    assert made["chunks"] == 3 * base.chunk_count

    reader = LocalIndex(target)  # checks sentence counts against chunks and the manifest
    counts, base_counts = reader.manifest["counts"], base.manifest["counts"]
    assert counts["sentences"] == 3 * base_counts["sentences"]
    live = reader.rows_matching(())
    probe = "the army convoy"
    assert np.allclose(  # tiled postings: each copy of a chunk scores as its original
        reader.lexical_scores(probe).of(live).reshape(3, -1),
        reader.lexical_scores(probe).of(live)[: len(live) // 3],
    )
    last = reader.chunk_count - 1
    copy, original = reader.chunks([last])[0], base.chunks([base.chunk_count - 1])[0]
    assert copy.text == original.text and copy.article_id.endswith("~2")
    (ours,), (theirs,) = reader.sentences_of([last]), base.sentences_of([base.chunk_count - 1])
    assert ours.spans == theirs.spans and np.array_equal(ours.vectors, theirs.vectors)

    answer = Searcher(seed_index.overridden(index_dir=target), embedder=embedder).ask(SEED_QUESTION)
    assert "SANA reported" in answer.text
    # The three copies of that passage (real vectors and two perturbed ones) lead the ranking.
    seed = base.chunks([0])[0].article_id
    leaders = {p.citation.article_id for p in answer.passages[:3]}
    assert leaders == {seed, f"{seed}~1", f"{seed}~2"}
    assert sum("SANA reported" in p.text for p in answer.passages) == 3

"""`qa build --engine ray` with a real Ray, inside a loopback-only network namespace (Ray probes
cloud metadata addresses when it starts), against the plain build of the same articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from bench.namespace import RAY_ENV, in_namespace, why_no_namespace
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.index.build import build_index
from qa.index.manifest import read_catalog
from qa.index.reader import LocalIndex
from tests.conftest import MARKUP_ARTICLE, MARKUP_QUESTION, ROOT, SEED_QUESTION, SEEDS, SHARED_EVAL

pytestmark = pytest.mark.ray
pytest.importorskip("ray", reason="Ray is not installed: pip install 'article-qa[ray]'")
if refused := why_no_namespace():
    pytest.skip(
        f"Ray may only start in a loopback-only namespace: {refused}", allow_module_level=True
    )

JOB_TIMEOUT_S = 900  # three Ray starts and five model loads on a busy 2-core machine
BBC_QUESTIONS = 8  # BBC questions (and their articles) added to the corpus where the data is
CHANGED = (
    "Floods in Leeds closed the railway station on Monday. Engineers expect a week of repairs."
)
ADDED = "The council of Harrowgate voted on Tuesday to open a new public library in March."
QUESTIONS = [
    SEED_QUESTION,
    MARKUP_QUESTION,
    "What did Kremlin spokesman Dmitry Peskov say?",
    "When will the library in Harrowgate open?",
    "What closed the railway station in Leeds?",
]


def bbc(count: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The gold articles of the first `count` BBC questions, and those questions (or none)."""
    if not SHARED_EVAL.is_dir():
        return [], []
    asked = [json.loads(line) for line in (SHARED_EVAL / "bbc" / "questions.jsonl").open()]
    asked = [q for q in asked if q.get("article_id")][:count]
    wanted = {q["article_id"] for q in asked}
    articles = [json.loads(line) for line in (SHARED_EVAL / "bbc" / "articles.jsonl").open()]
    return [a for a in articles if a["id"] in wanted], [q["question"] for q in asked]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict[str, Any]:
    """The Ray job's results, its index, and the plain build of the same (second) corpus."""
    work = tmp_path_factory.mktemp("ray")
    first, second = work / "first", work / "second"
    shutil.copytree(SEEDS, first)
    (first / "port-lumen.txt").write_text(MARKUP_ARTICLE, encoding="utf-8")
    (first / "leeds.txt").write_text(CHANGED.replace("a week", "two days"), encoding="utf-8")
    articles, questions = bbc(BBC_QUESTIONS)
    if articles:
        lines = "".join(json.dumps(a) + "\n" for a in articles)
        (first / "bbc.jsonl").write_text(lines, encoding="utf-8")
    shutil.copytree(first, second)
    (second / "leeds.txt").write_text(CHANGED, encoding="utf-8")
    (second / "harrowgate.txt").write_text(ADDED, encoding="utf-8")

    job = [sys.executable, "-m", "tests.ray_job", str(work), str(first), str(second)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "RAY_"))}
    done = subprocess.run(
        in_namespace(job),
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_S,
        cwd=ROOT,
        env={**env, **RAY_ENV, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    plain = Settings(index_dir=work / "plain")
    build_index(plain, [str(second)], embedder=embedder)
    results = json.loads((work / "results.json").read_text(encoding="utf-8"))
    return {"results": results, "ray": work / "ray", "plain": plain.index_dir, "asked": questions}


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_the_job_ran_with_loopback_only(built):
    assert built["results"]["loopback_only"]


def test_a_ray_build_reports_its_engine_and_actors(built):
    first = built["results"]["first"]
    assert first["code"] == 0, first["err"][-2000:]
    summary = json.loads(first["out"])
    assert (summary["engine"], summary["actors"]) == ("ray", 2)
    assert summary["embedded_chunks"] == summary["chunks"] > 0
    assert summary["timings"]["ray_start"] > 0 and summary["timings"]["chunk_embed"] > 0


def test_a_ray_rebuild_embeds_only_the_changed_and_added_articles(built):
    second = built["results"]["second"]
    assert second["code"] == 0, second["err"][-2000:]
    line = second["out"].strip()
    assert "1 added, 1 changed, 0 removed" in line
    assert re.search(r"chunks embedded \(ray engine, \d+ actors\)", line)
    plain = LocalIndex(built["plain"])
    fresh = sum(len(plain.rows_of_article(a)) for a in ("leeds", "harrowgate"))
    assert f"; {fresh} chunks embedded" in line


def test_the_ray_index_has_the_plain_chunks_offsets_and_vectors(built):
    ray, plain = LocalIndex(built["ray"]), LocalIndex(built["plain"])
    counts = {**ray.manifest["counts"], "segments": 1}  # the rebuild added a segment
    assert counts == plain.manifest["counts"]
    listed = read_catalog(plain.path, plain.manifest)["articles"]
    assert read_catalog(ray.path, ray.manifest)["articles"] == listed
    # The same chunks article by article (the rebuild's rows are elsewhere in the ray index).
    by_article = [(ray.rows_of_article(a), plain.rows_of_article(a)) for a in listed]
    ray_rows = [r for rows, _ in by_article for r in rows]
    rows = [r for _, rows in by_article for r in rows]
    assert ray.chunks(ray_rows) == plain.chunks(rows)  # text, article, paragraph, offsets, tokens
    assert cosines(ray.vectors_of(ray_rows), plain.vectors_of(rows)).min() >= 0.9999
    ray_sentences, plain_sentences = ray.sentences_of(ray_rows), plain.sentences_of(rows)
    assert [s.spans for s in ray_sentences] == [s.spans for s in plain_sentences]
    pairs = zip(ray_sentences, plain_sentences, strict=True)
    pooled = [cosines(r.vectors, p.vectors) for r, p in pairs]
    assert np.concatenate(pooled).min() >= 0.9999


def test_the_ray_index_answers_with_the_plain_top_passages(built, embedder):
    ray = Searcher(Settings(index_dir=built["ray"]), embedder=embedder)
    plain = Searcher(Settings(index_dir=built["plain"]), embedder=embedder)
    for question in [*QUESTIONS, *built["asked"]]:
        for mode in ("dense", "hybrid"):
            top = [ray.ask(question, k=3, mode=mode), plain.ask(question, k=3, mode=mode)]
            cited = [[(p.citation.article_id, p.citation.start) for p in a.passages] for a in top]
            assert cited[0] == cited[1], (question, mode)
            assert top[0].to_dict()["answer"] == top[1].to_dict()["answer"]


def test_an_unreachable_cluster_is_one_line_and_the_index_stays(built):
    nobody = built["results"]["nobody"]
    assert nobody["code"] == 1
    assert nobody["err"].strip().splitlines() == [
        "error: cannot reach the Ray cluster at 127.0.0.1:1 (RAY_ADDRESS): Connection refused"
    ]
    assert nobody["unchanged"]


def test_gpus_the_cluster_lacks_are_refused_and_the_index_stays(built):
    gpus = built["results"]["gpus"]
    assert gpus["error"] == "--ray-gpus 1: the Ray cluster has 0 GPUs"
    assert gpus["unchanged"]


def test_workers_that_cannot_load_the_model_leave_the_index(built):
    model = built["results"]["model"]
    assert model["error"].startswith(
        "the Ray pipeline failed, the index was left unchanged: cannot load embedding model"
    )
    assert "\n" not in model["error"]
    assert model["unchanged"]

"""The public data as archives of very different sizes, so that "not found" is calibrated and
reported on each: one article (each question against an index of its own article alone), the gold
articles (one index of every article a question is about), and the full corpus (both sets).

    archives(data, root, settings, embedder)  → {size: [(set, question, searcher), ...]}

The full corpus is the index at `settings.index_dir` (bench.quality's); the others live under
`root`. Each index is built once under `root` and refreshed incrementally on later runs (a no-change
build). An unanswerable BBC question has no article: in the one-article archive it is asked of
the articles of the answerable ones in turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

from bench.public import SETS, corpus, questions_file
from qa.answer.searcher import Searcher
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.evaluate import Question, read_questions
from qa.index.build import build_index

SIZES = ("one article", "gold articles", "full corpus")
Asked = tuple[str, Question, Searcher]


def archives(data: Path, root: Path, settings: Settings, embedder: Embedder) -> dict[str, list]:
    """Every question of both sets, with the searcher of its archive, for each size."""
    questions = {name: read_questions(questions_file(data, name)) for name in SETS}
    articles = _articles(data)
    gold = sorted({q.article_id for qs in questions.values() for q in qs if q.article_id})
    full = _searcher(settings, embedder, Path(settings.index_dir), [str(p) for p in corpus(data)])
    few = _searcher(
        settings, embedder, root / "gold" / "index", [_jsonl(root / "gold", gold, articles)]
    )
    return {
        "one article": list(_one_article(questions, articles, root / "one", settings, embedder)),
        "gold articles": [(n, q, few) for n, qs in questions.items() for q in qs],
        "full corpus": [(n, q, full) for n, qs in questions.items() for q in qs],
    }


def _one_article(
    questions: dict[str, list[Question]],
    articles: dict[str, str],
    root: Path,
    settings: Settings,
    embedder: Embedder,
) -> Iterator[Asked]:
    """Each question against an index of one article: its own, or (BBC unanswerable) another's."""
    for name, asked in questions.items():
        others = cycle(sorted({q.article_id for q in asked if q.article_id}))
        by_article: dict[str, list[Question]] = {}
        for question in asked:
            by_article.setdefault(question.article_id or next(others), []).append(question)
        for article_id, group in sorted(by_article.items()):
            folder = root / article_id.replace("/", "_")
            source = _jsonl(folder, [article_id], articles)
            searcher = _searcher(settings, embedder, folder / "index", [source])
            yield from ((name, q, searcher) for q in group)


def _articles(data: Path) -> dict[str, str]:
    """Every article record of both sets, as its JSON line, by id."""
    lines = {}
    for path in corpus(data):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines[json.loads(line)["id"]] = line
    return lines


def _jsonl(folder: Path, ids: list[str], articles: dict[str, str]) -> str:
    """A JSONL file of these articles in `folder` (rewritten only when it changes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    text = "".join(articles[i] + "\n" for i in ids)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return str(path)


def _searcher(settings: Settings, embedder: Embedder, index: Path, sources: list[str]) -> Searcher:
    """A searcher over the index of `sources` at `index`, built or refreshed first."""
    local = settings.overridden(index_dir=str(index))
    build_index(local, sources, embedder=embedder)
    return Searcher(local, embedder=embedder)

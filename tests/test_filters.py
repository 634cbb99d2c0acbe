"""Filters: parsed strictly, exact in the index (before ranking, in every mode), and facets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from qa.answer.searcher import Searcher
from qa.config import MODES, Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.index.filters import MAX_FIELDS, MAX_VALUES, Condition, FilterError, parse_filters

Record = dict[str, Any]


def article(
    article_id: str, section: str, text: str, published: str | None = None, **more: Any
) -> Record:
    """A JSONL record: every text mentions officials, so BM25 scores every chunk for OFFICIALS."""
    record = {"id": article_id, "title": article_id, "text": text, "section": section}
    record.update({"source": "bbc", **more})
    if published:
        record["published"] = published
    return record


RECORDS = [
    article(
        "sport-1",
        "sport",
        "The striker scored twice as United beat City, and officials praised the crowd.",
        "2005-01-15",
    ),
    article(
        "sport-2",
        "sport",
        "A late penalty won the derby; match officials reviewed the foul for a minute.",
        "2005-03-01",
        pinned=True,
    ),
    article(
        "sport-3",
        "sport",
        "The tennis final went to five sets before officials halted play for bad light.",
    ),
    article(
        "sport-4",
        "sport",
        "The marathon record fell in Berlin, race officials confirmed after the finish.",
        "2005-07-01",
    ),
    article(
        "business-1",
        "business",
        "Bank officials raised interest rates by a quarter point to curb house prices.",
        "2005-06-30T18:00:00+00:00",
        source="wire",
        pinned=1,
    ),
    article(
        "business-2",
        "business",
        "Shares in the airline slumped after officials revealed a loss for the year.",
        "2005-02-28T23:59:59Z",
        source="wire",
    ),
    article(
        "business-3",
        "business",
        "The carmaker will close two plants, officials told workers at a meeting.",
        "2005-04-10",
        pinned="1",
    ),
    article(
        "business-4",
        "business",
        "Oil prices hit a record high as officials warned of tight winter supplies.",
    ),
    article(
        "tech-1",
        "tech",
        "A new mobile phone chip doubles battery life, company officials claimed.",
        "2005-05-05T09:30:00",
        source="wire",
    ),
    article(
        "tech-2",
        "tech",
        "Officials blamed a software bug for the outage of the online payment service.",
        "2005-08-20",
    ),
    article(
        "tech-3",
        "tech",
        "Broadband take-up doubled in a year, according to officials of the regulator.",
        summary="A long summary of the broadband figures, far too long to be a category. " * 4,
    ),
    article(
        "weather-1",
        "weather",
        "Heavy rain flooded roads across the west, and officials warned of more storms.",
        "2005-06-30",
    ),
    article(
        "weather-2",
        "weather",
        "Snow closed mountain passes overnight while officials cleared the motorways.",
        "2005-12-24",
        source="wire",
    ),
]
BY_ID = {r["id"]: r for r in RECORDS}
OFFICIALS = "What did the officials say?"
# A football question; it shares only "officials" with the weather stories (BM25 scores them).
GOAL = "Which officials saw who scored the winning goal in the match?"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Searcher:
    """A Searcher over an index of RECORDS (one chunk each), built once for the module."""
    folder = tmp_path_factory.mktemp("filters-index")
    corpus = folder / "articles.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    settings = Settings(index_dir=folder / "index")
    build_index(settings, [str(corpus)], embedder=embedder)
    return Searcher(settings, embedder=embedder)


def matching(searcher: Searcher, raw: dict[str, Any]) -> set[str]:
    """The ids of the articles whose chunks rows_matching returns for these filters."""
    rows = searcher.index.rows_matching(parse_filters(raw))
    return {chunk.article_id for chunk in searcher.index.chunks(rows)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, ()),
        ({"section": "sport"}, (Condition("section", ("sport",)),)),
        ({"section": ["sport", "tech"]}, (Condition("section", ("sport", "tech")),)),
        ({"pinned": True, "rank": 2.5}, (Condition("pinned", (True,)), Condition("rank", (2.5,)))),
        ({"rank": {"from": 1}}, (Condition("rank", low=1),)),
        ({"rank": {"from": None, "to": 3}}, (Condition("rank", high=3),)),
        ({"source": ["bbc", "wire"]}, (Condition("source", ("bbc", "wire")),)),
        ({"published": "20050630"}, (Condition("published", ("2005-06-30",)),)),
        (
            {"published": {"from": "2005-03-01", "to": "2005-06-30T18:00:00+01:00"}},
            (Condition("published", low="2005-03-01", high="2005-06-30T18:00:00"),),
        ),
        # A date "to" bound covers its whole day, so a time on it is not after it.
        (
            {"published": {"from": "2005-06-30T18:00", "to": "2005-06-30"}},
            (Condition("published", low="2005-06-30T18:00:00", high="2005-06-30"),),
        ),
    ],
)
def test_parse_filters_accepts(raw: Any, expected: tuple[Condition, ...]) -> None:
    assert parse_filters(raw) == expected


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (["section", "sport"], "filters"),
        ("section=sport", "filters"),
        ({f"field{n}": "x" for n in range(MAX_FIELDS + 1)}, "filters"),
        ({"": "sport"}, ""),
        ({"section": None}, "section"),
        ({"section": []}, "section"),
        ({"section": ["x"] * (MAX_VALUES + 1)}, "section"),
        ({"section": [["sport"]]}, "section"),
        ({"section": [{"from": "a"}]}, "section"),
        ({"section": {"eq": "sport"}}, "section"),
        ({"section": {"from": "a", "below": "b"}}, "section"),
        ({"section": {}}, "section"),
        ({"section": {"from": None}}, "section"),
        ({"rank": {"from": True}}, "rank"),
        ({"rank": {"from": [1]}}, "rank"),
        ({"rank": float("nan")}, "rank"),
        ({"source": 5}, "source"),
        ({"article_id": True}, "article_id"),
        ({"published": 2005}, "published"),
        ({"published": "yesterday"}, "published"),
        ({"published": {"from": "2005-13-01"}}, "published"),
        ({"published": {"to": "30/06/2005"}}, "published"),
    ],
)
def test_parse_filters_refuses_naming_the_field(raw: Any, field: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filters(raw)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"filter {field!r}: ")


FILTER_CASES: list[tuple[dict[str, Any], Callable[[Record], bool]]] = [
    ({"section": "weather"}, lambda r: r["section"] == "weather"),
    ({"section": ["sport", "tech"]}, lambda r: r["section"] in ("sport", "tech")),
    ({"source": "wire", "section": "business"}, lambda r: r["id"] in ("business-1", "business-2")),
    (
        {"published": {"from": "2005-03-01", "to": "2005-06-30"}},
        lambda r: "2005-03-01" <= r.get("published", "")[:10] <= "2005-06-30",
    ),
    ({"pinned": True}, lambda r: r.get("pinned") is True),
    ({"article_id": ["tech-2", "weather-1"]}, lambda r: r["id"] in ("tech-2", "weather-1")),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("raw", "wanted"), FILTER_CASES, ids=[json.dumps(raw) for raw, _ in FILTER_CASES]
)
def test_every_passage_satisfies_the_filter_and_k_are_found(
    searcher: Searcher, mode: str, raw: dict[str, Any], wanted: Callable[[Record], bool]
) -> None:
    answer = searcher.ask(OFFICIALS, k=5, mode=mode, filters=parse_filters(raw))
    assert all(wanted(BY_ID[p.citation.article_id]) for p in answer.passages)
    chunks = sum(len(searcher.index.rows_of_article(r["id"])) for r in RECORDS if wanted(r))
    assert len(answer.passages) == min(5, chunks)


@pytest.mark.parametrize("mode", MODES)
def test_a_rare_filter_still_fills_k(searcher: Searcher, mode: str) -> None:
    # The two weather stories rank last for a football question: filtering after ranking the
    # top k would return none of them.
    unfiltered = searcher.ask(GOAL, k=2, mode=mode)
    assert all(BY_ID[p.citation.article_id]["section"] == "sport" for p in unfiltered.passages)
    rare = searcher.ask(GOAL, k=2, mode=mode, filters=parse_filters({"section": "weather"}))
    assert sorted(p.citation.article_id for p in rare.passages) == ["weather-1", "weather-2"]


@pytest.mark.parametrize("mode", MODES)
def test_an_impossible_filter_finds_nothing(searcher: Searcher, mode: str) -> None:
    filters = parse_filters({"section": "weather", "source": "nowhere"})
    answer = searcher.ask(OFFICIALS, k=5, mode=mode, filters=filters)
    assert answer.passages == []
    assert answer.text is None and answer.passage is None


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (
            {"from": "2005-03-01", "to": "2005-06-30"},
            {"sport-2", "business-1", "business-3", "tech-1", "weather-1"},
        ),
        ({"from": "2005-07-01"}, {"sport-4", "tech-2", "weather-2"}),
        ({"to": "2005-02-28"}, {"sport-1", "business-2"}),
        ({"from": "2005-06-30T18:00:00", "to": "2005-06-30T18:00:00Z"}, {"business-1"}),
        ("2005-06-30", {"business-1", "weather-1"}),
        (["2005-01-15", "2005-12-24"], {"sport-1", "weather-2"}),
    ],
)
def test_dates_match_inclusively_on_both_ends(
    searcher: Searcher, published: Any, expected: set[str]
) -> None:
    assert matching(searcher, {"published": published}) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, {"sport-2"}),
        (1, {"business-1"}),
        ("1", {"business-3"}),
        (False, set()),
        ({"from": 0, "to": 5}, {"business-1"}),
        ({"from": "0"}, {"business-3"}),
    ],
)
def test_metadata_values_match_only_their_own_type(
    searcher: Searcher, value: Any, expected: set[str]
) -> None:
    assert matching(searcher, {"pinned": value}) == expected


def test_no_filter_matches_every_row(searcher: Searcher) -> None:
    assert searcher.index.rows_matching(()) == list(range(searcher.index.chunk_count))


def test_facets_count_the_articles(searcher: Searcher) -> None:
    facets = searcher.index.facets()
    assert facets["articles"] == len(RECORDS)
    assert facets["published"] == {"from": "2005-01-15", "to": "2005-12-24", "dated": 10}
    assert facets["fields"]["section"] == {
        "distinct": 4,
        "values": [
            {"value": "business", "count": 4},
            {"value": "sport", "count": 4},
            {"value": "tech", "count": 3},
            {"value": "weather", "count": 2},
        ],
    }
    assert facets["fields"]["source"] == {
        "distinct": 2,
        "values": [{"value": "bbc", "count": 9}, {"value": "wire", "count": 4}],
    }
    pinned = facets["fields"]["pinned"]["values"]
    assert [(type(v["value"]), v["value"], v["count"]) for v in pinned] == [
        (int, 1, 1),
        (bool, True, 1),
        (str, "1", 1),
    ]
    # Long text is not a category; the article ids are not offered.
    assert sorted(facets["fields"]) == ["pinned", "section", "source"]

"""Small article sets for the Milvus tests: the seed article plus a few news records written
here, with metadata and dates to filter on, and the edits of an incremental rebuild."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import SEEDS

NEWS = {
    "quake": {
        "title": "Earthquake strikes Port Arden",
        "text": "An earthquake of magnitude 6.1 struck the coastal town of Port Arden on "
        "Thursday, the national seismology institute said.\n\nRescue teams searched "
        "collapsed houses near the harbour through the night.",
        "published": "2005-06-30T18:00:00",
        "section": "world",
        "rank": 3,
        "featured": True,
    },
    "budget": {
        "title": "Fuel tax rises in new budget",
        "text": "The finance minister Clara Holm presented a budget that raises the fuel tax "
        "by two percent.\n\nOpposition parties said the rise would hurt rural drivers.",
        "published": "2005-07-02",
        "section": "business",
        "rank": 1,
        "featured": False,
    },
    "cup": {
        "title": "Harbour United lift the regional cup",
        "text": "Harbour United won the regional cup final 3-1 against Millbrook Rovers, with "
        "two goals from striker Tomas Reyes.\n\nThe club last won the trophy in 1998.",
        "section": "sport",
        "rank": "1",
        "featured": 1,
    },
    "library": {
        "title": "Library opens a digital newspaper archive",
        "text": "The city library of Port Arden opened a digital archive of 40,000 scanned "
        "newspapers, said its director Ines Vale.\n\nReaders can search every page online.",
        "published": "2005-07-10",
        "section": "tech",
        "rank": 2.5,
    },
}
# The rebuild's edits: one article changed, one removed, one added.
CHANGED = (
    "budget",
    "The finance minister Clara Holm withdrew the fuel tax rise after a week "
    "of protests by farmers.\n\nThe budget now raises the tobacco duty instead.",
)
REMOVED = "cup"
ADDED = (
    "bridge",
    {
        "title": "Kelso bridge closed",
        "text": "Engineers closed the old Kelso bridge on Friday after inspectors found deep "
        "cracks in two of its stone piers, the county council said.\n\nA ferry will carry "
        "pedestrians across the river until repairs are done.",
        "published": "2005-07-12",
        "section": "world",
    },
)
NEW_QUESTION = "Why did engineers close the Kelso bridge?"
REMOVED_QUESTION = "Who won the regional cup final against Millbrook Rovers?"


def write_corpus(folder: Path, news: dict[str, dict]) -> Path:
    """seeds/ and the news records as news.jsonl, in `folder`."""
    shutil.copytree(SEEDS, folder, dirs_exist_ok=True)
    lines = [json.dumps({"id": key, **record}) for key, record in news.items()]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def edited_news() -> dict[str, dict]:
    """NEWS after the rebuild's edits."""
    key, text = CHANGED
    news = {k: dict(v) for k, v in NEWS.items() if k != REMOVED}
    news[key]["text"] = text
    news[ADDED[0]] = ADDED[1]
    return news

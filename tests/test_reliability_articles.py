"""Bad article files through the real `qa build`: each is skipped with its file and reason,
the rest is indexed, and the exit status says so (3: built, but some input was skipped)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa.cli import EXIT_ERROR, EXIT_SKIPPED, main
from qa.embed.embedder import Embedder
from qa.index.layout import MANIFEST
from qa.ingest.html import MAX_DEPTH
from qa.ingest.readers import MAX_FILE_BYTES
from tests.conftest import SEED_QUESTION, SEEDS

MIB = 2**20
RIVER = "The river Wey flooded the town of Godalming on Sunday, the council said."
BRIDGE = "Engineers reopened the Tamar bridge after a week of repairs, the operator said."
# file name → the reason `qa build` must give for skipping it (or a record in it)
EXPECTED = {
    "empty.txt": "empty file",
    "blank.md": "empty file",
    "binary.txt": "binary file (contains NUL bytes), not text",
    "latin1.txt": "not valid UTF-8 (byte 0xe9 at offset 3)",
    "sparse-100mb.txt": f"file too large (104,857,600 bytes; the limit is {MAX_FILE_BYTES:,})",
    "words-100mb.md": f"file too large (104,857,600 bytes; the limit is {MAX_FILE_BYTES:,})",
    "nested.html": f"HTML nested too deeply (more than {MAX_DEPTH:,} levels)",
    "no-text.html": "no article text found in the HTML",
    "nested.json": "invalid JSON: nested too deeply",
    "broken.json": "invalid JSON: Expecting",
    "types.json[0]": "field 'title' must be a string, got list",
    "types.json[1]": "field 'text' must be a string",
    "types.json[2]": "field 'id' must be a string, got dict",
    "types.json[3]": "expected a JSON object, got str",
    "types.json[4]": "expected a JSON object, got NoneType",
    "types.json[5]": "field 'text' is empty",
    "lines.jsonl:2": "invalid JSON: nested too deeply",
    "lines.jsonl:3": "not valid UTF-8",
    "lines.jsonl:4": "text has invalid Unicode (lone surrogate at offset 0)",
    "dup-b.json": "duplicate id 'story' with different text (kept the one from",
    "notes.odt": "unsupported file type",
    "broken.pdf": "damaged PDF (",
    "missing.txt": "no such file or directory",
}


def write_bad_files(folder: Path) -> None:
    """One file for each way an article can be unreadable, next to good ones."""
    (folder / "empty.txt").touch()
    (folder / "blank.md").write_text(" \n\t\n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("Café au lait.".encode("latin-1"))
    with (folder / "sparse-100mb.txt").open("wb") as handle:
        handle.truncate(100 * MIB)  # a sparse file of NULs: instant, takes no disk
    words = (b"the council said the river flooded the town again " * (MIB // 50 + 1))[:MIB]
    with (folder / "words-100mb.md").open("wb") as handle:
        for _ in range(100):
            handle.write(words)
    nested = "<div>" * 100_000 + "<p>Deep text.</p>" + "</div>" * 100_000
    (folder / "nested.html").write_text(f"<html><body>{nested}</body></html>")
    (folder / "no-text.html").write_text("<html><head><script>var a = 1;</script></head></html>")
    (folder / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "broken.json").write_text('{"id": "x", "text": ')
    records = [
        {"id": "a", "title": ["not", "a", "string"], "text": "Some text."},
        {"id": "b", "text": 42},
        {"id": {"x": 1}, "text": "Some text."},
        "just a string",
        None,
        {"id": "c", "text": "   "},
        {"id": "bridge", "title": "Bridge reopened", "text": BRIDGE},
    ]
    (folder / "types.json").write_text(json.dumps(records))
    (folder / "lines.jsonl").write_bytes(
        b'{"id": "river", "text": "'
        + RIVER.encode()
        + b'"}\n'
        + b"[" * 50_000
        + b"]" * 50_000
        + b"\n"
        + b'{"id": "bad-bytes", "text": "caf\xe9"}\n'
        + b'{"id": "surrogate", "text": "\\udc80 lone"}\n'
    )
    (folder / "dup-a.json").write_text(json.dumps({"id": "story", "text": "Version one."}))
    (folder / "dup-b.json").write_text(json.dumps({"id": "story", "text": "Version two."}))


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder):
    """`qa build` over seeds/ plus every kind of bad file: (exit code, stdout, stderr, index)."""
    folder = tmp_path_factory.mktemp("bad-articles")
    articles = folder / "articles"
    shutil.copytree(SEEDS, articles)
    write_bad_files(articles)
    (folder / "notes.odt").write_bytes(b"PK\x03\x04")
    (articles / "broken.pdf").write_bytes(b"%PDF-1.4")
    index = folder / "index"
    sources = [str(articles), str(folder / "notes.odt"), str(folder / "missing.txt")]
    result = CliRunner().invoke(main, ["build", *sources, "--index", str(index)])
    yield result.exit_code, result.stdout, result.stderr, index
    shutil.rmtree(folder, ignore_errors=True)  # 100 MB of words: do not keep it around


def test_build_exits_3_and_names_every_skipped_file_with_its_reason(bad_build) -> None:
    code, out, err, _ = bad_build
    assert code == EXIT_SKIPPED, err
    lines = err.splitlines()
    assert all(line.startswith("skipped ") for line in lines), lines
    assert "Traceback" not in err
    for where, reason in EXPECTED.items():
        matching = [line for line in lines if f"{where}: " in line]
        assert len(matching) == 1, (where, lines)
        assert reason in matching[0], (where, matching[0])
    assert len(lines) == len(EXPECTED)
    assert f"{len(EXPECTED)} skipped" in out


def test_the_good_articles_are_indexed_and_answer(bad_build) -> None:
    _, out, _, index = bad_build
    # seeds/, the bridge record, the river line, and the first of the duplicate ids
    assert "4 articles" in out
    answers = {
        SEED_QUESTION: "SANA reported",
        "Which town did the river Wey flood?": "Godalming",
        "Which bridge was reopened?": "Tamar bridge",
    }
    for question, expected in answers.items():
        result = CliRunner().invoke(main, ["ask", question, "--index", str(index), "--json"])
        assert result.exit_code == 0, result.stderr
        assert expected in json.loads(result.stdout)["passages"][0]["text"]


def test_a_rebuild_over_the_same_bad_files_still_says_so(bad_build) -> None:
    _, _, _, index = bad_build
    result = CliRunner().invoke(main, ["build", "--index", str(index), "--json"])
    assert result.exit_code == EXIT_SKIPPED
    summary = json.loads(result.stdout)
    assert summary["articles"] == 4 and summary["embedded_chunks"] == 0
    assert len(summary["problems"]) == len(EXPECTED)


def test_only_bad_files_is_one_error_line_and_the_index_is_kept(
    tmp_path: Path, embedder: Embedder
) -> None:
    index = tmp_path / "index"
    good = CliRunner().invoke(main, ["build", str(SEEDS), "--index", str(index)])
    assert good.exit_code == 0, good.stderr
    manifest = (index / MANIFEST).read_text()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").touch()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02")
    result = CliRunner().invoke(main, ["build", str(bad), "--index", str(index)])
    assert result.exit_code == EXIT_ERROR
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert (index / MANIFEST).read_text() == manifest
    asked = CliRunner().invoke(main, ["ask", SEED_QUESTION, "--index", str(index), "--json"])
    assert "SANA reported" in json.loads(asked.stdout)["passages"][0]["text"]

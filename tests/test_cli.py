"""The `qa` command: exit statuses, one-line errors, text and JSON answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from qa.cli import EXIT_SKIPPED, main
from qa.terminal import BOLD, NO_UNDERLINE, PLAIN, UNDERLINE, render_answer
from tests.conftest import ROOT, SEED_FILE, SEED_QUESTION
from web.schemas import SCHEMAS


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ask_json_is_the_answer_contract(seed_index) -> None:
    code, out, _ = run("ask", SEED_QUESTION, "--index", str(seed_index.index_dir), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == set(SCHEMAS["Answer"]["required"])
    assert data["searched"] == SEED_QUESTION
    assert data["unknown_words"] == []
    assert data["mode"] == "hybrid" and data["question"] == SEED_QUESTION
    first = data["passages"][0]
    assert set(first) == {"rank", "score", "text", "highlight", "copies", "citation"}
    cite = first["citation"]
    text = SEED_FILE.read_bytes().decode("utf-8")
    assert text[cite["start"] : cite["end"]] == first["text"]
    assert "SANA reported" in data["answer"]["text"]
    assert data["answer"]["short"] == {"text": "SANA", "start": 2420, "end": 2424, "passage": 1}
    assert data["answer"]["reader"] == "heuristic"
    assert text[2420:2424] == "SANA"
    a, b = first["highlight"]
    assert first["text"][a:b] == data["answer"]["text"]


def test_ask_text_shows_answer_and_citations(seed_index) -> None:
    code, out, _ = run("ask", SEED_QUESTION, "--index", str(seed_index.index_dir), "-k", "2")
    assert code == 0
    first, second = out.splitlines()[:2]
    assert first == "Short answer [1]: SANA"  # the short answer first, then the sentence
    assert second.startswith("Answer [1]:") and "SANA reported" in second
    assert "seeds/000_fea5b3fe5925253d.txt, paragraph" in out
    assert out.count("\n[") == 2


def test_on_a_terminal_the_short_answer_is_bold_then_underlined_where_it_stands(
    seed_index,
) -> None:
    code, out, _ = run("ask", SEED_QUESTION, "--index", str(seed_index.index_dir), "--json")
    assert code == 0
    shown = render_answer(json.loads(out), color=True)
    short, sentence = shown.splitlines()[:2]
    assert short == f"Short answer [1]: {BOLD}SANA{PLAIN}"
    assert f"news agency {UNDERLINE}SANA{NO_UNDERLINE} reported" in sentence
    cited = shown.split("\n[1] ", 1)[1].split("\n[2] ", 1)[0]  # the cited passage, as wrapped
    assert f"{UNDERLINE}SANA{NO_UNDERLINE}" in cited and cited.count(UNDERLINE) == 1
    assert "»" not in shown  # the sentence is bold, not quoted, on a terminal


def test_a_miss_says_so_and_names_the_words_no_article_has(seed_index) -> None:
    question = "What is the recipe for sourdough bread?"
    code, out, _ = run("ask", question, "--index", str(seed_index.index_dir), "-k", "2")
    assert code == 0
    assert out.splitlines()[0].startswith("The articles do not answer this question.")
    assert "No article mentions “recipe”, “sourdough”, “bread”." in out.splitlines()[0]
    assert out.count("\n[") == 2


def test_build_reports_skipped_files_with_exit_status_3(tmp_path: Path, seed_copy: Path) -> None:
    (seed_copy / "bad.txt").write_bytes(b"\xff\xfe\x00\x01")
    code, out, err = run("build", str(seed_copy), "--index", str(tmp_path / "ix"))
    assert code == EXIT_SKIPPED
    assert "bad.txt: binary file" in err
    assert "1 articles" in out and "1 skipped" in out
    code, out, _ = run("build", "--index", str(tmp_path / "ix"), "--json")
    assert code == EXIT_SKIPPED
    summary = json.loads(out)
    assert summary["unchanged"] == 1 and summary["embedded_chunks"] == 0


def test_missing_index_is_one_line_and_status_1(tmp_path: Path) -> None:
    code, _, err = run("ask", "anything?", "--index", str(tmp_path / "none"))
    assert code == 1
    assert err.strip().splitlines() == [
        f"error: no index at {tmp_path / 'none'}: run `qa build` to create it"
    ]


def test_bad_arguments_are_usage_errors(seed_index) -> None:
    assert run("ask", "q", "-k", "0", "--index", str(seed_index.index_dir))[0] == 2
    assert run("ask", "q", "--mode", "magic")[0] == 2
    assert run("ask", "   ", "--index", str(seed_index.index_dir))[0] == 2


def test_python_dash_m_runs_the_cli_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa",
            "build",
            str(tmp_path / "nothing-here"),
            "--index",
            str(tmp_path / "ix"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: no article could be read")

"""Feeds, PDF and DOCX become Articles with ISO dates, authors, links and PDF pages; broken ones
are reported by name with the reason while the rest is read, built and cited exactly."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from qa.answer.searcher import Searcher
from qa.cli import EXIT_SKIPPED, main
from qa.config import Settings
from qa.embed.embedder import Embedder
from qa.index.build import build_index
from qa.ingest import docx as docx_reader
from qa.ingest.dates import iso_date
from qa.ingest.markup import fragment_text
from qa.ingest.readers import read_sources

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour News</title><link>https://news.example/</link><description>x</description>
<item>
  <title>Storm closes the harbour</title>
  <link>https://news.example/storm</link>
  <guid>tag:news.example,2005:storm</guid>
  <pubDate>Mon, 14 Mar 2005 10:30:00 +0100</pubDate>
  <dc:creator>Ann Reporter</dc:creator>
  <description>A short summary.</description>
  <content:encoded><![CDATA[<p>High winds closed the <b>harbour</b> on Monday.</p>
    <p>All ferries were cancelled.</p><script>track()</script>]]></content:encoded>
</item>
<item>
  <title>Bridge reopens</title>
  <link>https://news.example/bridge</link>
  <author>ed@news.example (Ed Itor)</author>
  <description>Engineers reopened the Tamar bridge &lt;b&gt;today&lt;/b&gt;.</description>
</item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Coast</title><id>urn:coast</id><updated>2005-03-14T09:30:00Z</updated>
<entry>
  <title>New keeper for the light</title>
  <link href="https://news.example/keeper"/>
  <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
  <updated>2005-03-14T09:30:00Z</updated>
  <author><name>Elsa Varga</name></author>
  <summary>Only the summary.</summary>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
    <p>The harbour board named a new keeper.</p><p>She starts in April.</p></div></content>
</entry>
</feed>"""
EMPTY_FEED = '<rss version="2.0"><channel><title>Nothing yet</title></channel></rss>'
NOT_A_FEED = "<?xml version='1.0'?><config><setting name='colour'>blue</setting></config>"

KEEPER_QUESTION = "Who is the lighthouse keeper of Port Lumen?"
PDF_PAGES = [
    "Storms in the channel. Gales of up to ninety miles an hour closed the port of Dunmore on "
    "Monday morning, the harbour master said. Fishing boats stayed in the inner basin while "
    "the ferry company cancelled every crossing until Wednesday. Shops along the quay put up "
    "shutters and sandbags, and the coastguard asked walkers to keep away from the sea wall. "
    "The county council opened two rest centres for families whose homes were flooded by the "
    "spring tide, and the railway line to the coast was closed after a landslip near the "
    "tunnel. Engineers expect to reopen it by the weekend if the weather allows.",
    "The harbour authority of Port Lumen said on Monday that its lighthouse keeper is Elsa "
    "Varga, who has kept the light for twelve years. She trained as an electrician before "
    "joining the lighthouse service, and lives with two cats in the keeper's cottage beside "
    "the tower. The lamp was last replaced in the spring, when the old bulbs were changed for "
    "lights that use a tenth of the power. Visitors may climb the tower on Saturdays in summer "
    "and the small museum at its foot tells the story of the wrecks along this coast.",
    "Market prices. Cod fetched a record price at the Friday auction.",
]
PDF_DATE = datetime(2024, 3, 5, 10, 30, tzinfo=UTC)
DOCX_DATE = datetime(2023, 11, 2, 8, 15, tzinfo=UTC)


def make_pdf(pages: list[str], title: str | None = "Coast report") -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.set_creation_date(PDF_DATE)
    pdf.set_author("Desk Editor")
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(PDF_PAGES))))
    writer.encrypt(user_password, "owner-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a drawing, as a scan would be: no text to extract
    return bytes(pdf.output())


def make_docx(title: str = "Council budget") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Raj Patel"
    document.core_properties.created = DOCX_DATE
    document.add_heading("Budget approved after late vote", level=1)
    document.add_paragraph("The council approved its budget on Tuesday night.")
    document.add_paragraph("")
    document.add_paragraph("Council tax will rise by three per cent.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write(folder: Path, name: str, data: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_rss_items_become_articles_with_link_author_and_iso_date(tmp_path: Path) -> None:
    write(tmp_path, "news/harbour.rss", RSS)
    result = read_sources([tmp_path])
    assert not result.problems
    storm, bridge = result.articles
    assert storm.id == "tag:news.example,2005:storm"
    assert storm.title == "Storm closes the harbour"
    assert storm.text == "High winds closed the harbour on Monday.\n\nAll ferries were cancelled."
    assert storm.url == "https://news.example/storm"
    assert storm.published == "2005-03-14T09:30:00+00:00"
    assert storm.metadata == {"author": "Ann Reporter"}
    assert storm.source.endswith("news/harbour.rss#1")
    assert bridge.id == "https://news.example/bridge"  # no guid: the link
    assert bridge.text == "Engineers reopened the Tamar bridge today."  # the summary
    assert bridge.metadata == {"author": "ed@news.example (Ed Itor)"}
    assert bridge.published is None
    assert bridge.source.endswith("news/harbour.rss#2")


def test_atom_entry_prefers_content_and_xml_is_read_when_it_is_a_feed(tmp_path: Path) -> None:
    write(tmp_path, "coast.atom", ATOM)
    write(tmp_path, "copy/coast.xml", ATOM.replace("urn:uuid:", "urn:copy:"))
    result = read_sources([tmp_path])
    assert not result.problems
    (entry,) = result.articles  # the .xml copy has the same text: folded as an alias
    assert entry.text == "The harbour board named a new keeper.\n\nShe starts in April."
    assert entry.title == "New keeper for the light"
    assert entry.published == "2005-03-14T09:30:00+00:00"
    assert entry.metadata == {"author": "Elsa Varga"}
    assert entry.url == "https://news.example/keeper"
    assert result.aliases == {"urn:copy:1225c695-cfb8-4ebb-aaaa-80da344efa6a": entry.id}


def test_feed_html_keeps_inline_text_and_line_breaks() -> None:
    html = "Intro <b>bold</b> text<br>line two<div>In a div</div><p>Para <i>one</i></p>tail"
    html += "<script>track()</script>"
    assert fragment_text(html) == "Intro bold text\n\nline two\n\nIn a div\n\nPara one\n\ntail"


def test_feed_item_without_id_link_or_text(tmp_path: Path) -> None:
    items = "<item><description>Plain words only.</description></item><item><title>T</title></item>"
    write(tmp_path, "bare.rss", f'<rss version="2.0"><channel>{items}</channel></rss>')
    result = read_sources([tmp_path])
    (article,) = result.articles
    assert article.id.startswith("bare#h-")  # the same on every rebuild, whatever the order
    assert article.title == "Plain words only."
    (problem,) = result.problems
    assert problem.source.endswith("bare.rss#2")
    assert problem.reason == "item has no text (no content or summary)"


def test_pdf_text_pages_and_metadata(tmp_path: Path) -> None:
    write(tmp_path, "coast.pdf", make_pdf(PDF_PAGES))
    (article,) = read_sources([tmp_path]).articles
    assert article.id == "coast"
    assert article.title == "Coast report"
    assert article.published == "2024-03-05T10:30:00+00:00"
    assert article.metadata == {"author": "Desk Editor"}
    assert len(article.pages) == 2
    starts = [0, *article.pages]
    for number, (start, page) in enumerate(zip(starts, PDF_PAGES, strict=True), start=1):
        assert " ".join(article.text[start:].split()).startswith(" ".join(page.split()[:8]))
        assert article.page_at(start) == number
    assert article.text[article.pages[0] - 2 : article.pages[0]] == "\n\n"
    assert article.page_at(article.pages[0] - 1) == 1


def test_pdf_without_a_title_takes_its_first_sentence(tmp_path: Path) -> None:
    write(tmp_path, "untitled.pdf", make_pdf(PDF_PAGES[2:], title=None))
    (article,) = read_sources([tmp_path]).articles
    assert article.title == "Market prices."
    assert article.pages == ()  # one page: nothing after the first


def test_pdf_blank_page_between_keeps_the_page_numbers(tmp_path: Path) -> None:
    write(tmp_path, "gap.pdf", make_pdf(["Before the gap.", "", "After the gap."]))
    (article,) = read_sources([tmp_path]).articles
    after = article.text.index("After the gap.")
    assert article.pages == (len("Before the gap.\n\n"), after)
    assert article.page_at(after) == 3


def test_pdf_encrypted_only_against_editing_is_read(tmp_path: Path) -> None:
    write(tmp_path, "locked.pdf", encrypted_pdf(user_password=""))
    (article,) = read_sources([tmp_path]).articles
    assert "Elsa Varga" in article.text and len(article.pages) == 2


def test_docx_paragraphs_title_author_and_date(tmp_path: Path) -> None:
    (budget,) = read_sources([write(tmp_path, "budget.docx", make_docx())]).articles
    (untitled,) = read_sources([write(tmp_path, "untitled.docx", make_docx(title=""))]).articles
    assert budget.text == (
        "Budget approved after late vote\n\n"
        "The council approved its budget on Tuesday night.\n\n"
        "Council tax will rise by three per cent."
    )
    assert budget.title == "Council budget"
    assert budget.published == "2023-11-02T08:15:00+00:00"
    assert budget.metadata == {"author": "Raj Patel"}
    assert budget.pages == ()
    assert untitled.title == "Budget approved after late vote"  # the first heading


def broken_docx() -> bytes:
    return bytes(range(256)) * 4


def empty_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def zip_not_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "Not a Word document.")
    return out.getvalue()


def cut_feed() -> bytes:
    return ATOM[: ATOM.index("<entry>")].encode()


def truncated_pdf() -> bytes:
    return make_pdf(PDF_PAGES)[:900]


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("secret.pdf", lambda: encrypted_pdf("secret"), "encrypted PDF (it needs a password)"),
        ("scan.pdf", blank_pdf, "no text in the PDF (image-only? it would need OCR)"),
        ("truncated.pdf", truncated_pdf, "damaged PDF ("),
        ("broken.docx", broken_docx, "not a valid DOCX (File is not a zip file)"),
        ("other.docx", zip_not_docx, 'not a valid DOCX ("There is no item named'),
        ("empty.docx", empty_docx, "no text in the DOCX"),
        ("empty.rss", lambda: EMPTY_FEED.encode(), "feed has no items"),
        ("config.xml", lambda: NOT_A_FEED.encode(), "not an RSS or Atom feed"),
        ("cut.atom", cut_feed, "feed has no items (no element found)"),
        ("words.rss", lambda: b"just words", "not an RSS or Atom feed (syntax error)"),
        ("blank.pdf", lambda: b" \n", "empty file"),
    ],
)
def test_bad_files_are_reported_with_reason_and_the_rest_is_read(
    tmp_path: Path, name: str, make, reason: str
) -> None:
    write(tmp_path, "good.txt", "A good article. It has text.")
    write(tmp_path, name, make())
    result = read_sources([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    (problem,) = result.problems
    assert problem.source.endswith(name)
    assert problem.reason.startswith(reason), problem.reason


def test_docx_that_unzips_too_large_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make_docx()
    unzipped = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(docx_reader, "MAX_UNZIPPED_BYTES", unzipped - 1)
    write(tmp_path, "bomb.docx", data)
    (problem,) = read_sources([tmp_path]).problems
    assert problem.reason.startswith(f"DOCX too large unzipped ({unzipped:,} bytes")


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        ("D:20240305103000Z", "2024-03-05T10:30:00+00:00"),
        ("D:20050314093000+01'00'", "2005-03-14T08:30:00+00:00"),
        ("D:20050314093000", "2005-03-14T09:30:00"),  # no zone given: none invented
        ("D:20050314", "2005-03-14"),
        ("2005-03-14", "2005-03-14"),
        ("2005-03-14T10:30:00+01:00", "2005-03-14T09:30:00+00:00"),
        ("Mon, 14 Mar 2005 10:30:00 GMT", "2005-03-14T10:30:00+00:00"),
        (DOCX_DATE, "2023-11-02T08:15:00+00:00"),
        (DOCX_DATE.timetuple(), "2023-11-02T08:15:00+00:00"),
        ("D:20051399", None),
        ("next Tuesday", None),
        (None, None),
    ],
)
def test_dates_are_normalised_to_iso_8601(given, iso: str | None) -> None:
    assert iso_date(given) == iso


def test_a_question_answered_on_page_2_of_a_pdf_cites_page_2(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "articles"
    write(folder, "harbour.rss", RSS)
    write(folder, "coast.pdf", make_pdf(PDF_PAGES))
    write(folder, "budget.docx", make_docx())
    settings = Settings(index_dir=tmp_path / "index")
    summary = build_index(settings, [str(folder)], embedder=embedder)
    assert summary.articles == 4 and not summary.problems
    searcher = Searcher(settings, embedder=embedder)
    top = searcher.ask(KEEPER_QUESTION).passages[0]
    assert top.citation.article_id == "coast"
    assert top.citation.page == 2
    assert "Elsa" in top.text
    article = searcher.index.article("coast")
    assert article is not None
    assert article.text[top.citation.start : top.citation.end] == top.text
    assert article.pages and top.citation.start >= article.pages[0]


def test_build_skips_an_encrypted_pdf_by_name_and_exits_3(
    tmp_path: Path, embedder: Embedder
) -> None:
    folder = tmp_path / "articles"
    write(folder, "good.txt", "The ferry to Dunmore sails at noon. It takes an hour.")
    write(folder, "secret.pdf", encrypted_pdf("reader-secret"))
    result = CliRunner().invoke(main, ["build", str(folder), "--index", str(tmp_path / "index")])
    assert result.exit_code == EXIT_SKIPPED, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("skipped ") and "secret.pdf: encrypted PDF" in line
    assert "1 articles" in result.stdout

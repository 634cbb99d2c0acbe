"""The readers: folders and .txt .md .html .json .jsonl, feed, .pdf and .docx files become
Articles (or Problems)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qa.ingest.article import Article, ArticleError, Problem, ReadResult, content_hash
from qa.ingest.folding import (
    FileRecord,
    Folding,
    Known,
    Lined,
    fold,
    known_lines,
    line_digest,
    new_record,
    replay,
    unchanged,
)
from qa.ingest.markup import checked_html
from qa.ingest.titles import text_title

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
# Read from their bytes: binary formats, and XML, which declares its own encoding.
BYTES_SUFFIXES = FEED_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | BYTES_SUFFIXES
# Larger files are refused rather than read whole into memory (a JSONL file is streamed).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ARTICLE_CHARS = 8 * 1024 * 1024
KNOWN_FIELDS = {"id", "title", "text", "url", "published", "source"}
EMPTY_FILE = "empty file"


def read_sources(
    sources: Sequence[str | Path],
    known: dict[str, FileRecord] | None = None,
    take: Callable[[Article], None] | None = None,
) -> ReadResult:
    """Read folders (recursively) and files; bad files become Problems, the rest goes on.

    A file that `known` (an earlier build's `files`) lists with its size and modification time
    unchanged is not read again: its articles are folded by id and hash (`ReadResult.known`).
    `take`, when given, gets each article kept as it is read, instead of `ReadResult.articles`
    (a build streams them: qa.index.stream).
    """
    result = ReadResult()
    folding = Folding(result, take)
    for path, article_id in _walk(sources, result.problems):
        key = str(path)
        record = (known or {}).get(key)
        if unchanged(record, path):
            replay(record, folding, display_path(path))
            result.files[key] = record
            continue
        try:
            entries = _read_file(path, article_id, known_lines(record))
            # A JSONL file is folded line by line as it is read (a build streams its articles,
            # however many a file holds); any other is read whole first: a bad one gives none.
            found = entries if path.suffix.lower() == ".jsonl" else list(entries)
            items = [fold(entry, folding) for entry in found]
        except ArticleError as exc:
            result.problems.append(Problem(display_path(path), str(exc)))
            continue
        except OSError as exc:
            result.problems.append(
                Problem(display_path(path), f"cannot read: {exc.strerror or exc}")
            )
            continue
        result.files[key] = new_record(path, items)
    return result


def unchanged_since(sources: Sequence[str | Path], known: dict[str, FileRecord]) -> bool:
    """True when the sources hold exactly the files `known` lists, none changed: reading them
    would give what it gave then."""
    problems: list[Problem] = []
    paths = [str(path) for path, _ in _walk(sources, problems)]
    if problems or set(paths) != set(known):
        return False
    return all(unchanged(known[path], Path(path)) for path in paths)


def _walk(sources: Sequence[str | Path], problems: list[Problem]) -> Iterator[tuple[Path, str]]:
    """Yield (file, id derived from its path) for every supported file under the sources."""
    for source in sources:
        root = Path(source)
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                relative = path.relative_to(root)
                hidden = any(part.startswith(".") for part in relative.parts)
                if not hidden and path.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield path, relative.with_suffix("").as_posix()
        elif root.is_file():
            if root.suffix.lower() in SUPPORTED_SUFFIXES:
                yield root, root.stem
            else:
                kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
                problems.append(Problem(str(root), f"unsupported file type (use {kinds})"))
        else:
            problems.append(Problem(str(root), "no such file or directory"))


def display_path(path: Path) -> str:
    """The path relative to the working directory when inside it (as in `seeds/a.txt`)."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _read_file(
    path: Path, article_id: str, seen: dict[str, tuple[str, str]]
) -> Iterator[Article | Problem | Lined]:
    size = path.stat().st_size
    suffix = path.suffix.lower()
    if size > MAX_FILE_BYTES and suffix != ".jsonl":
        raise ArticleError(f"file too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})")
    if suffix == ".jsonl":
        yield from _read_jsonl(path, article_id, seen)
        return
    data = path.read_bytes()
    if suffix in BYTES_SUFFIXES:
        if not data.strip():
            raise ArticleError(EMPTY_FILE)
        yield from _read_bytes(path, suffix, data, article_id)
        return
    text = decode(data)
    if not text.strip():
        raise ArticleError(EMPTY_FILE)
    if suffix in TEXT_SUFFIXES:
        yield _checked(Article(article_id, text_title(text), text, display_path(path)))
    elif suffix in HTML_SUFFIXES:
        page = checked_html(text)
        if not page.text.strip():
            raise ArticleError("no article text found in the HTML")
        title = page.title or text_title(page.text)
        yield _checked(
            Article(
                article_id,
                title,
                page.text,
                display_path(path),
                url=page.url,
                published=page.published,
            )
        )
    else:
        yield from _read_json(path, text, article_id)


def _read_bytes(path: Path, suffix: str, data: bytes, file_id: str) -> Iterator[Article | Problem]:
    """A feed's items (each a Problem if unusable, as JSON records), or one PDF or DOCX article.

    Their libraries (feedparser, pypdf, python-docx) are imported here, when a file needs them:
    a second of every build's start otherwise.
    """
    source = display_path(path)
    if suffix in FEED_SUFFIXES:
        from qa.ingest.feeds import feed_entries, from_entry

        for number, entry in enumerate(feed_entries(data), start=1):
            where = f"{source}#{number}"
            try:
                yield _checked(from_entry(entry, where, file_id))
            except ArticleError as exc:
                yield Problem(where, str(exc))
    elif suffix in PDF_SUFFIXES:
        from qa.ingest.pdf import read_pdf

        yield _checked(read_pdf(data, file_id, source))
    else:
        from qa.ingest.docx import read_docx

        yield _checked(read_docx(data, file_id, source))


def decode(data: bytes) -> str:
    """UTF-8 text, unchanged; binary or undecodable bytes raise ArticleError with the reason."""
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def _read_json(path: Path, text: str, file_id: str) -> Iterator[Article | Problem]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ArticleError(f"invalid JSON: {_json_reason(exc)}") from None
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records):
        where = f"{display_path(path)}[{number}]" if isinstance(data, list) else display_path(path)
        try:
            yield _checked(from_record(record, where))
        except ArticleError as exc:
            yield Problem(where, str(exc))


def _read_jsonl(path: Path, file_id: str, seen: dict[str, tuple[str, str]]) -> Iterator[Lined]:
    """Each line's article (or problem); a line `seen` in the last reading is not parsed."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{display_path(path)}:{number}"
            if not raw.strip():
                continue
            digest = line_digest(raw)
            if digest in seen:
                yield Lined(Known(*seen[digest], where), digest)
                continue
            try:
                line = decode(raw)
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    raise ArticleError(f"invalid JSON: {_json_reason(exc)}") from None
                yield Lined(_checked(from_record(record, where)), digest)
            except ArticleError as exc:
                yield Lined(Problem(where, str(exc)), digest)


def _json_reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def from_record(record: Any, where: str) -> Article:
    """An Article from a JSON object with id/title/text and optional url/published/source."""
    if not isinstance(record, dict):
        raise ArticleError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleError("field 'text' must be a string" + (" (missing)" if text is None else ""))
    if not text.strip():
        raise ArticleError("field 'text' is empty")
    for name in ("id", "title", "url", "published", "source"):
        value = record.get(name)
        if value is not None and not isinstance(value, str | int):
            raise ArticleError(f"field {name!r} must be a string, got {type(value).__name__}")
    given_id = record.get("id")
    article_id = str(given_id).strip() if given_id is not None else ""
    title = record.get("title")
    return Article(
        id=article_id or "h-" + content_hash(text)[:16],
        title=str(title).strip() if title else text_title(text),
        text=text,
        source=str(record.get("source") or where),
        url=_optional_str(record.get("url")),
        published=_optional_str(record.get("published")),
        metadata={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
    )


def _optional_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _checked(article: Article) -> Article:
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            f"article text too long ({len(article.text):,} characters; "
            f"the limit is {MAX_ARTICLE_CHARS:,})"
        )
    try:
        article.text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ArticleError(
            f"text has invalid Unicode (lone surrogate at offset {exc.start})"
        ) from None
    if not article.id or any(ch in article.id for ch in "\x00\n\r"):
        raise ArticleError(f"unusable article id {article.id!r}")
    return article

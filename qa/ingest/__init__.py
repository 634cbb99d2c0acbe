"""Ingest: folders and files of articles become Article records (article), read by format
(readers: text, Markdown, JSON, JSONL; html and markup; feeds: RSS and Atom; pdf; docx), dated
in ISO 8601 (dates), titled where they carry no title (titles)."""

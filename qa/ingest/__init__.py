"""Ingest: folders and files of articles become Article records (article), read by format
(readers: text, Markdown, JSON, JSONL; html), titled where they carry no title (titles)."""

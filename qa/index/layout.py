"""The index directory's layout: the only place that names its files.

manifest.json          format, model, chunker settings, counts, the segments (each with the
                       articles deleted from it), build time, the name of its catalog
catalog-<build>.json   what builds read: article hashes, aliases, the source files seen
segments/<name>/       one segment each (qa.index.segment), never changed once written:
  vectors.faiss          the FAISS index of its chunk vectors (ids = its chunk rows)
  chunk_vectors.npy      the exact chunk vectors (fp16), beside an approximate index only
  chunks.sqlite          its chunk rows (text, article, paragraph, offsets) and articles
  sentence_spans.npy     each chunk's sentences: (chunk row, start, end within the chunk)
  sentence_vectors.npy   their vectors (fp16)
  sentence_words.txt     their stemmed content words, a line per chunk (qa.index.sentence_words;
  sentence_words.npy     absent from older segments) and the lines' byte offsets
  bm25/                  the lexical postings of its chunks (qa.index.postings)
"""

from __future__ import annotations

# 2: sentence spans and vectors stored beside the chunks (qa.index.sentence_vectors).
# 3: each article's page offsets (PDF), so that a citation names its page.
# 4: segments, so that a build writes what changed and not the whole index.
FORMAT_VERSION = 4
MANIFEST = "manifest.json"
SEGMENTS = "segments"
VECTORS = "vectors.faiss"
# Beside an approximate (IVF) index only: the chunk vectors in fp16, read from disk to re-score
# the index's candidates exactly and to give exact vectors for copy folding.
EXACT_VECTORS = "chunk_vectors.npy"
CHUNKS = "chunks.sqlite"
SENTENCE_SPANS = "sentence_spans.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
SENTENCE_WORDS = "sentence_words.txt"
SENTENCE_WORDS_OFFSETS = "sentence_words.npy"
LEXICAL = "bm25"
# What an index of format 3 or older held at its top: removed when a new build is published.
OLD_FORMAT_FILES = (VECTORS, EXACT_VECTORS, CHUNKS, SENTENCE_SPANS, SENTENCE_VECTORS, LEXICAL)
README = "README.md"
README_TEXT = f"""\
# index/

Built by `qa build` (see the project README); never edit by hand.

- `{MANIFEST}`: format version, model, chunker settings, counts, the segments and the
  articles deleted from each, build time, the name of its catalog
- `catalog-<build id>.json`: what builds read: article hashes, aliases, the source files seen
- `{SEGMENTS}/<name>/`: one segment each, never changed once written:
  - `{VECTORS}`: the FAISS index of its chunk vectors (ids = its chunk rows)
  - `{CHUNKS}`: its chunk rows (text, article, paragraph, offsets) and articles
  - `{SENTENCE_SPANS}`, `{SENTENCE_VECTORS}`: each chunk's sentences and their vectors (fp16)
  - `{SENTENCE_WORDS}`, `{SENTENCE_WORDS_OFFSETS}`: their stemmed content words (a line per chunk)
  - `{EXACT_VECTORS}`: the exact chunk vectors (fp16), beside an approximate (IVF) index only
  - `{LEXICAL}/`: the lexical (BM25) postings of its chunks

A build writes a new segment for the articles added or changed, then publishes a new manifest
atomically; `qa compact` (or a build, past a number of segments) merges segments.
"""

# The fix for every damaged, foreign or outdated index, named in each such error.
REBUILD = "run `qa build --full` to rebuild it"
# The format `qa build` upgrades in place, without embedding again (qa.index.legacy).
UPGRADABLE_FORMAT = 3
UPGRADE = "run `qa build` to upgrade it (nothing is embedded again)"

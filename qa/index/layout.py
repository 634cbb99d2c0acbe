"""The index directory's layout: the only place that names its files.

manifest.json          format, model, chunker settings, counts, article hashes, build time
vectors.faiss          the FAISS index of chunk vectors (ids = chunk rows)
chunk_vectors.npy      the exact chunk vectors (fp16), beside an approximate index only
chunks.sqlite          chunk rows (text, article, paragraph, offsets) and articles
sentence_spans.npy     each chunk's sentences: (chunk row, start, end within the chunk)
sentence_vectors.npy   their vectors (fp16)
bm25/                  the lexical (BM25) index of the same chunks
"""

from __future__ import annotations

# 2: sentence spans and vectors stored beside the chunks (qa.index.sentence_vectors).
# 3: each article's page offsets (PDF), so that a citation names its page.
FORMAT_VERSION = 3
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
# Beside an approximate (IVF) index only: the chunk vectors in fp16, read from disk to re-score
# the index's candidates exactly and to give exact vectors for copy folding.
EXACT_VECTORS = "chunk_vectors.npy"
CHUNKS = "chunks.sqlite"
SENTENCE_SPANS = "sentence_spans.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
LEXICAL = "bm25"
README = "README.md"
README_TEXT = f"""\
# index/

Built by `qa build` (see the project README); never edit by hand.

- `{MANIFEST}`: format version, model, chunker settings, counts, article hashes, build time
- `{VECTORS}`: the FAISS index of chunk vectors (ids = chunk rows)
- `{CHUNKS}`: chunk rows (text, article, paragraph, offsets) and articles
- `{SENTENCE_SPANS}`, `{SENTENCE_VECTORS}`: each chunk's sentences and their vectors (fp16)
- `{EXACT_VECTORS}`: the exact chunk vectors (fp16), beside an approximate (IVF) index only
- `{LEXICAL}/`: the lexical (BM25) index of the same chunks

A build writes a sibling directory and swaps it in atomically.
"""

# The fix for every damaged, foreign or outdated index, named in each such error.
REBUILD = "run `qa build --full` to rebuild it"

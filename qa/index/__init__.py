"""Index: the only owner of an index. Its files are named in layout; written whole by writer
(atomically: swap) and read by reader, which implements the protocol the Searcher uses; the
parts: manifest, chunks (SQLite), vectors (FAISS), sentence_vectors, lexical (BM25), rows; and
build, which turns sources into an index, re-embedding only what changed."""

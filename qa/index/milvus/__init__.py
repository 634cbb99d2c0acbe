"""A Milvus-backed index (qa.index.protocol.Index) for any number of stateless servers: the URI
(uri), the connection and its errors (client), the collections of one build (schema), filters as
boolean expressions (expressions), the writer that switches an alias in one call (writer), the
reader (reader) and its BM25 scores (lexical)."""

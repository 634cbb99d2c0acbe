"""The collections of one Milvus build: their names, fields and indexes, written once here.

A build's collections are named NAME__BUILD_PART; the alias NAME names the build's chunk
collection, and a reader finds the others from it. Every collection has a vector field (Milvus
2.3 requires one): the chunks and sentences their vectors, the others a 2-d placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymilvus import DataType, Function, FunctionType, MilvusClient
from pymilvus.milvus_client.index import IndexParams

from qa.index.milvus.expressions import METADATA_COLUMNS
from qa.text.words import LANGUAGE, STOPWORDS

PARTS = ("chunks", "sentences", "articles", "texts", "words")
SEPARATOR = "__"
MAX_VARCHAR = 65_535  # bytes, Milvus' limit for one VARCHAR value
# Long texts (articles, the manifest) are stored in parts of at most this many characters:
# four UTF-8 bytes each at most, within MAX_VARCHAR.
TEXT_PART_CHARS = 16_000
PLACEHOLDER = "placeholder"
PLACEHOLDER_VECTOR = [0.0, 0.0]
# Analysis of the chunk text for Milvus' BM25, as close to qa.index.lexical as Milvus allows
# (milvus-lite 3 ignores the stemmer); k1 and b are bm25s' defaults, as the local index uses.
ANALYZER = {
    "tokenizer": "standard",
    "filter": [
        "lowercase",
        {"type": "stop", "stop_words": sorted(STOPWORDS)},
        {"type": "stemmer", "language": LANGUAGE},
    ],
}
BM25_PARAMS = {"bm25_k1": 1.5, "bm25_b": 0.75}
# From ann_min_chunks chunks on, the chunk vectors get an HNSW graph instead of exact search.
HNSW_BUILD = {"M": 16, "efConstruction": 200}
HNSW_MIN_EF = 128


@dataclass(frozen=True)
class Collections:
    """The names of one build's collections."""

    name: str
    build: str

    def __getitem__(self, part: str) -> str:
        """The collection of one part (one of PARTS)."""
        return f"{self.name}{SEPARATOR}{self.build}_{part}"


def build_of(collection: str, name: str) -> str | None:
    """The build id in the name of one of index `name`'s collections (None for another's)."""
    prefix = f"{name}{SEPARATOR}"
    if not collection.startswith(prefix) or "_" not in collection[len(prefix) :]:
        return None
    build, _, part = collection[len(prefix) :].rpartition("_")
    return build if part in PARTS and build else None


def schemas(dim: int, bm25: bool) -> dict[str, object]:
    """Each part's collection schema."""
    chunks = _schema(("row", DataType.INT64))
    chunks.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    _fields(chunks, "article_id", "source", "published")
    _ints(chunks, "paragraph", "start", "end", "tokens")
    chunks.add_field(
        "text",
        DataType.VARCHAR,
        max_length=MAX_VARCHAR,
        enable_analyzer=bm25,
        **({"analyzer_params": ANALYZER} if bm25 else {}),
    )
    for column in METADATA_COLUMNS.values():
        chunks.add_field(column, DataType.JSON)
    if bm25:
        chunks.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        chunks.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
    sentences = _schema(("id", DataType.INT64))
    sentences.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    _ints(sentences, "chunk_row", "start", "end")
    articles = _placeholder(_schema(("id", DataType.VARCHAR)))
    _fields(articles, "title", "source", "url", "published", "pages", "content_hash")
    _ints(articles, "ordinal", "parts")
    articles.add_field("metadata", DataType.JSON)
    texts = _placeholder(_schema(("key", DataType.VARCHAR)))
    _fields(texts, "owner", "text")
    _ints(texts, "part")
    words = _placeholder(_schema(("stem", DataType.VARCHAR)))
    _ints(words, "chunks")
    return {
        "chunks": chunks,
        "sentences": sentences,
        "articles": articles,
        "texts": texts,
        "words": words,
    }


def index_params(part: str, bm25: bool, hnsw: bool) -> IndexParams:
    """The indexes of one part's collection: its vector field's, and BM25's on the chunks."""
    params = MilvusClient.prepare_index_params()
    if part == "chunks" and hnsw:
        params.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW_BUILD)
    elif part in ("chunks", "sentences"):
        params.add_index("vector", index_type="FLAT", metric_type="IP")
    else:
        params.add_index(PLACEHOLDER, index_type="FLAT", metric_type="L2")
    if part == "chunks" and bm25:
        params.add_index(
            "sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS
        )
    return params


def _schema(key: tuple[str, DataType]):
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    name, kind = key
    extra = {"max_length": MAX_VARCHAR} if kind == DataType.VARCHAR else {}
    schema.add_field(name, kind, is_primary=True, **extra)
    return schema


def _placeholder(schema):
    schema.add_field(PLACEHOLDER, DataType.FLOAT_VECTOR, dim=len(PLACEHOLDER_VECTOR))
    return schema


def _fields(schema, *names: str) -> None:
    for name in names:
        schema.add_field(name, DataType.VARCHAR, max_length=MAX_VARCHAR)


def _ints(schema, *names: str) -> None:
    for name in names:
        schema.add_field(name, DataType.INT64)

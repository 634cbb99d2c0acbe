"""One connection to a Milvus server (or a milvus-lite file): every call bounded in time, every
failure one IndexUnreachable line naming the URI."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import grpc
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from qa.errors import first_line
from qa.index.errors import IndexMissing, IndexUnreachable
from qa.index.milvus.schema import build_of
from qa.index.milvus.uri import MilvusUri

# pymilvus logs each failed call with its traceback; the failure reaches the caller anyway, as
# one line, so its own log would only break that line up.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

# Seconds a connection and each call may take before the server counts as unreachable.
TIMEOUT_S = 10.0
# Rows one query or search may return (Milvus' default max for limit + offset).
MAX_RESULTS = 16_384
# Milvus' BM25 function (full-text search) came with 2.5; milvus-lite 3 has it too.
BM25_SINCE = (2, 5)
FAILURES = (MilvusException, grpc.RpcError, ConnectionError, OSError)


class Connection:
    """A MilvusClient for one URI whose calls raise IndexUnreachable instead of client errors."""

    def __init__(self, uri: MilvusUri) -> None:
        self.uri = uri
        try:
            self.client = MilvusClient(uri.address, token=uri.token, timeout=TIMEOUT_S)
        except (*FAILURES, RuntimeError, ImportError) as exc:
            raise self.failure(exc) from None

    def failure(self, exc: BaseException) -> IndexUnreachable:
        detail = getattr(exc, "message", None) or first_line(exc) or type(exc).__name__
        return IndexUnreachable(f"cannot use Milvus at {self.uri}: {first_line(detail)}")

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """`client.method(*args, **kwargs)` within TIMEOUT_S, its failure as IndexUnreachable."""
        try:
            return getattr(self.client, method)(*args, timeout=TIMEOUT_S, **kwargs)
        except FAILURES as exc:
            raise self.failure(exc) from None

    def query(self, collection: str, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        """The rows (at most MAX_RESULTS) that satisfy `expression`, with these fields."""
        return list(
            self.call(
                "query", collection, filter=expression, output_fields=fields, limit=MAX_RESULTS
            )
        )

    def query_all(
        self, collection: str, expression: str, fields: list[str], batch: int = 4096
    ) -> Iterator[dict[str, Any]]:
        """Every row that satisfies `expression`, however many, read in batches."""
        try:
            pages = self.client.query_iterator(
                collection,
                batch_size=batch,
                filter=expression,
                output_fields=fields,
                timeout=TIMEOUT_S,
            )
            while page := pages.next():
                yield from page
            pages.close()
        except FAILURES as exc:
            raise self.failure(exc) from None

    def alias_target(self) -> str | None:
        """The collection the index's alias names now, or None when there is no such alias."""
        try:
            found = self.client.describe_alias(self.uri.name, timeout=TIMEOUT_S)
        except MilvusException as exc:
            if "not found" in str(exc.message).lower() or "not exist" in str(exc.message).lower():
                return None
            raise self.failure(exc) from None
        except FAILURES as exc:
            raise self.failure(exc) from None
        return found.get("collection_name") or None

    def version(self) -> str:
        """The server's version as it reports it, e.g. v2.3.5-lite or milvus_lite-3.2.2."""
        return str(self.call("get_server_version"))

    def close(self) -> None:
        # Closing a connection to a server that is gone: nothing is left to release.
        with contextlib.suppress(*FAILURES):
            self.client.close()


class AliasWatch:
    """The collection an index's alias names now (None when none, or unreachable), on one
    connection kept between calls: the live index's look for a new build."""

    def __init__(self, uri: MilvusUri) -> None:
        self.uri = uri
        self._connection: Connection | None = None

    def __call__(self) -> str | None:
        try:
            if self._connection is None:
                self._connection = Connection(self.uri)
            return self._connection.alias_target()
        except IndexUnreachable:
            if self._connection is not None:
                self._connection.close()
            self._connection = None
            return None


def published_build(uri: MilvusUri) -> str | None:
    """The build id the alias names now; IndexMissing when there is no alias."""
    connection = Connection(uri)
    try:
        build = build_of(connection.alias_target() or "", uri.name)
    finally:
        connection.close()
    if build is None:
        raise IndexMissing(missing(uri))
    return build


def missing(uri: MilvusUri) -> str:
    """The message for an index that was never built."""
    return f"no index at {uri}: run `qa build --index {uri}` to create it"


def has_bm25(version: str) -> bool:
    """Whether a server of this version has the BM25 function (unknown versions are tried)."""
    if version.startswith("milvus_lite"):
        return True
    found = re.search(r"(\d+)\.(\d+)", version)
    return found is None or (int(found[1]), int(found[2])) >= BM25_SINCE

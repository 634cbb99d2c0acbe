"""Milvus index locations: `milvus://HOST:PORT/NAME` (a server) and `milvus-lite://PATH.db/NAME`.

Light on purpose (no pymilvus import): Settings and the CLI parse locations with it.
`milvus://USER:PASSWORD@HOST:PORT/NAME` passes USER:PASSWORD as the token; messages never show it.
A milvus-lite PATH is absolute with a leading slash (`milvus-lite:///data/qa.db/bbc`), else
relative to the working directory (`milvus-lite://qa.db/bbc`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SERVER_SCHEME = "milvus://"
LITE_SCHEME = "milvus-lite://"
SCHEMES = (SERVER_SCHEME, LITE_SCHEME)
DEFAULT_PORT = 19530
# A Milvus collection name starts with a letter or _, then letters, digits and _; the builds'
# collections add a suffix to it, so the name itself stays short.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
SERVER = re.compile(
    r"(?:(?P<token>[^@/]+)@)?(?P<host>\[[0-9a-fA-F:]+\]|[^:/@\[\]]+)(?::(?P<port>\d{1,5}))?"
)
EXAMPLES = f"{SERVER_SCHEME}HOST:PORT/NAME or {LITE_SCHEME}PATH.db/NAME"


@dataclass(frozen=True)
class MilvusUri:
    """Where a Milvus index lives: the client's address (and token) and the index's name."""

    address: str  # what MilvusClient connects to: http://HOST:PORT, or the milvus-lite file
    name: str
    shown: str  # the location as given, without a password
    token: str = ""

    @property
    def lite(self) -> bool:
        return self.shown.startswith(LITE_SCHEME)

    def __str__(self) -> str:
        return self.shown


def is_milvus_uri(location: object) -> bool:
    """Whether a location (a string or a path) names a Milvus index rather than a directory."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def parse_milvus_uri(location: str) -> MilvusUri:
    """The parts of a Milvus location; ValueError (one line, with the syntax) if malformed."""
    scheme = next((s for s in SCHEMES if location.startswith(s)), None)
    rest = location[len(scheme) :] if scheme else ""
    where, _, name = rest.rpartition("/")
    if scheme is None or not where or not NAME.fullmatch(name):
        raise ValueError(
            f"{location!r} is not a Milvus index location: write {EXAMPLES} (NAME: letters, "
            "digits and _, not starting with a digit)"
        )
    if scheme == LITE_SCHEME:
        if not where.endswith(".db"):
            raise ValueError(f"{location!r}: a milvus-lite file name ends in .db ({EXAMPLES})")
        return MilvusUri(str(Path(where).absolute()), name, location)
    server = SERVER.fullmatch(where)
    if server is None or int(server["port"] or DEFAULT_PORT) > 65535:
        raise ValueError(f"{location!r}: expected HOST:PORT before /{name} ({EXAMPLES})")
    host, port = server["host"], int(server["port"] or DEFAULT_PORT)
    shown = f"{SERVER_SCHEME}{host}:{port}/{name}"
    return MilvusUri(f"http://{host}:{port}", name, shown, server["token"] or "")

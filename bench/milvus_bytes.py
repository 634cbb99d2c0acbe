"""Bytes per chunk vector in Milvus for each index type, measured on the real server.

    .venv/bin/python -m bench.milvus_bytes [--vectors 20000] [--out bench-results/milvus_bytes.json]

Starts the Milvus 2.3.5 standalone server, inserts the same random unit 384-d vectors into one
collection per index type (FLAT, HNSW M=16, IVF_SQ8, DISKANN), builds each index and reads the
size of its index files in the server's storage: what a query node holds in memory (on local
disk for DiskANN) per vector. The raw vectors (binlogs) are counted apart. Stops the server by
its process id.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pymilvus import DataType, MilvusClient

from bench.milvus_server import milvus_server
from bench.public import RESULTS
from bench.report import folder_bytes, save_json, table
from qa.index.milvus.uri import parse_milvus_uri

DIM = 384
INDEXES = {
    "FLAT": {},
    "HNSW": {"M": 16, "efConstruction": 200},
    "IVF_SQ8": {"nlist": 128},
    "DISKANN": {},
}


def measure(client: MilvusClient, storage: Path, vectors: np.ndarray, kind: str) -> dict:
    name = f"bytes_{kind.lower()}"
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=DIM)
    client.create_collection(name, schema=schema)
    for start in range(0, len(vectors), 2000):
        batch = vectors[start : start + 2000]
        client.insert(name, [{"row": start + i, "vector": v.tolist()} for i, v in enumerate(batch)])
    client.flush(name)
    started = time.perf_counter()
    params = MilvusClient.prepare_index_params()
    params.add_index("vector", index_type=kind, metric_type="IP", params=INDEXES[kind])
    try:
        client.create_index(name, params)
        client.load_collection(name)
    except Exception as exc:  # an index type this server build lacks: say so in the row
        return {"index": kind, "error": str(exc).splitlines()[0][:120]}
    collection = client.describe_collection(name)["collection_id"]
    index_files = [p for p in (storage / "index_files").rglob("*") if str(collection) in str(p)]
    size = sum(p.stat().st_size for p in index_files if p.is_file())
    return {
        "index": kind,
        "vectors": len(vectors),
        "index_bytes_per_vector": round(size / len(vectors), 1),
        "index_s": round(time.perf_counter() - started, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "milvus_bytes.json")
    options = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((options.vectors, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with tempfile.TemporaryDirectory() as data, milvus_server(Path(data)) as uri:
        client = MilvusClient(parse_milvus_uri(f"{uri}/bytes").address)
        storage = Path(data) / "data"
        before = folder_bytes(storage / "insert_log") if (storage / "insert_log").exists() else 0
        rows = [measure(client, storage, vectors, kind) for kind in INDEXES]
        raw = (folder_bytes(storage / "insert_log") - before) / (len(INDEXES) * len(vectors))
    print(table(rows, "index vectors index_bytes_per_vector index_s"))
    print(f"\nraw vectors in binlogs: {raw:.0f} bytes per vector (fp32: {DIM * 4})")
    save_json(options.out, {"dim": DIM, "raw_bytes_per_vector": round(raw, 1), "indexes": rows})
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`qa bench`: build throughput, embedding speed against plain fp32, answer latency, scale.

Every ratio is measured in one run on one machine (CPU timings are noisy on shared hosts).
The 100k and 1M chunk indexes are synthesized from a real one: its articles are replicated and
their vectors perturbed (copy 0 keeps the real vectors), so no hours of embedding are needed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings

# Perturbation of synthesized copies: cosine to the original ≈ 1 / sqrt(1 + NOISE²) ≈ 0.96.
NOISE = 0.3
RECALL_K = 10


def settings_for(index_dir: Path, backend: str) -> Settings:
    """Settings that open this index whatever today's chunker defaults are (they may change)."""
    from qa.store import read_manifest

    chunker = read_manifest(index_dir)["chunker"]
    return Settings.from_env(index_dir=index_dir, backend=backend, **chunker)


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    values = np.asarray(values_ms, dtype=np.float64)
    return {f"p{p}_ms": round(float(np.percentile(values, p)), 2) for p in (50, 95, 99)}


def peak_rss_mib(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


# --- embedding: every backend against plain SentenceTransformer.encode fp32 ----------------------


def bench_embedding(
    texts: Sequence[str], backends: Sequence[str], settings: Settings, rounds: int = 2
) -> list[dict[str, Any]]:
    """Pieces/s per backend, interleaved rounds (best kept), cosine to fp32, one-query latency."""
    from qa.embedding import Embedder

    embedders = {name: Embedder(settings.model, 0, name, settings.model_cache) for name in backends}
    plain = next(iter(embedders.values())).model  # the SentenceTransformer itself
    pieces = sum(next(iter(embedders.values())).count_pieces(texts))
    encoders: dict[str, Callable[[], np.ndarray]] = {
        "plain-fp32-b32": lambda: plain.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
    }
    for name, embedder in embedders.items():
        embedder.encode(texts[:64])  # converts (and calibrates) once, outside the timing
        encoders[name] = lambda embedder=embedder: embedder.encode(texts)
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, encode in encoders.items():
            started = time.perf_counter()
            vectors[name] = encode()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    reference = vectors["plain-fp32-b32"]
    rows = []
    for name, seconds in best.items():
        cosines = np.sum(vectors[name] * reference, axis=1)
        row = {
            "variant": name,
            "texts": len(texts),
            "pieces": pieces,
            "seconds": round(seconds, 2),
            "pieces_per_s": round(pieces / seconds),
            "x_fp32": round(best["plain-fp32-b32"] / seconds, 2),
            "cosine_mean": round(float(cosines.mean()), 5),
            "cosine_min": round(float(cosines.min()), 5),
        }
        if name in embedders:
            row["query_ms"] = percentiles(_query_times(embedders[name]))["p50_ms"]
        rows.append(row)
    return rows


def _query_times(embedder: Any, count: int = 50) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        embedder.encode_query(f"who reported the Turkish convoy number {i}?")
        times.append((time.perf_counter() - started) * 1000)
    return times


# --- the whole `qa build`, as a separate process ------------------------------------------------


def bench_build(sources: Sequence[str], backend: str, index_dir: Path) -> dict[str, Any]:
    """Run `qa --backend B build --full --json` and time the whole process; peak memory too."""
    command = [sys.executable, "-m", "qa", "--backend", backend, "build", "--full", "--json"]
    command += ["--index", str(index_dir), *sources]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise RuntimeError(f"`{' '.join(command)}` failed with status {status}")
    summary = json.loads(output)
    from qa.store import IndexReader

    reader = IndexReader(index_dir)
    articles = [reader.article(i) for i in reader.manifest["articles"]]
    tokenizer = _tokenizer(reader)
    article_pieces = sum(len(ids) for ids in tokenizer([a.text for a in articles if a]))
    chunk_pieces = sum(len(ids) for ids in tokenizer(list(reader.all_chunk_texts())))
    timings = summary["timings"]
    return {
        "backend": backend,
        "articles": summary["articles"],
        "chunks": summary["chunks"],
        "article_pieces": article_pieces,
        "chunk_pieces": chunk_pieces,
        "wall_s": round(wall, 1),
        "read_chunk_s": round(timings["read"] + timings["chunk"], 1),
        "embed_s": round(timings["embed"], 1),
        "write_s": round(timings["write"], 1),
        "articles_per_s": round(summary["articles"] / wall, 1),
        "chunks_per_s": round(summary["chunks"] / wall, 1),
        "article_pieces_per_s": round(article_pieces / wall),
        "embed_chunk_pieces_per_s": round(chunk_pieces / timings["embed"]),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "bytes_per_chunk": round(folder_bytes(index_dir) / summary["chunks"]),
        "vectors_bytes_per_chunk": round(
            (index_dir / "vectors.faiss").stat().st_size / summary["chunks"]
        ),
    }


def _tokenizer(reader: Any) -> Callable[[list[str]], list[list[int]]]:
    from transformers import AutoTokenizer

    from qa.embedding import resolve_model

    tokenizer = AutoTokenizer.from_pretrained(resolve_model(reader.manifest["model"]["name"]))
    return lambda texts: tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]


# --- answers through the library ----------------------------------------------------------------


def bench_answers(settings: Settings, questions: Sequence[str]) -> dict[str, Any]:
    """Searcher.ask on every question, once warmed: latency percentiles and answers/s."""
    from qa.search import Searcher

    searcher = Searcher(settings)
    searcher.ask(questions[0])
    times = []
    started = time.perf_counter()
    for question in questions:
        mark = time.perf_counter()
        searcher.ask(question)
        times.append((time.perf_counter() - mark) * 1000)
    elapsed = time.perf_counter() - started
    return {
        "questions": len(questions),
        **percentiles(times),
        "answers_per_s": round(len(questions) / elapsed, 1),
    }


# --- answers through HTTP: the real `qa serve` ----------------------------------------------------


@contextmanager
def running_server(index_dir: Path, backend: str) -> Iterator[tuple[str, int, float]]:
    """`qa serve` on a free port: (base URL, pid, seconds until its first answer)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from qa.store import read_manifest

    command = [sys.executable, "-m", "qa", "--backend", backend, "serve"]
    command += ["--index", str(index_dir), "--port", str(port)]
    chunker = read_manifest(index_dir)["chunker"]
    env = {**os.environ, **{f"QA_{key.upper()}": str(value) for key, value in chunker.items()}}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"`{' '.join(command)}` exited with {process.returncode}")
            try:
                post_question(base, "warm up")
                break
            except urllib.error.HTTPError as exc:  # up, but cannot answer: say why
                raise RuntimeError(f"{base}/api/ask: {exc.read()[:300]!r}") from None
            except OSError:
                time.sleep(0.2)
        yield base, process.pid, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def post_question(base: str, question: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def bench_http(
    index_dir: Path, backend: str, questions: Sequence[str], clients: Sequence[int], seconds: float
) -> dict[str, Any]:
    """POST /api/ask from 1, 4, 16… concurrent clients, each level bounded to `seconds`."""
    with running_server(index_dir, backend) as (base, pid, startup):
        levels = [_load(base, questions, count, seconds) for count in clients]
        return {
            "backend": backend,
            "startup_s": round(startup, 1),
            "server_rss_mib": rss_mib(pid),
            "server_peak_rss_mib": peak_rss_mib(pid),
            "levels": levels,
        }


def _load(base: str, questions: Sequence[str], clients: int, seconds: float) -> dict[str, Any]:
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < deadline:
            mark = time.perf_counter()
            try:
                post_question(base, questions[i % len(questions)])
            except OSError:
                with lock:
                    errors += 1
                continue
            finally:
                i += clients
            with lock:
                times.append((time.perf_counter() - mark) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "answers": len(times),
        "errors": errors,
        **percentiles(times or [float("nan")]),
        "answers_per_s": round(len(times) / elapsed, 1),
    }


# --- search at scale: synthesized 100k / 1M chunk indexes ----------------------------------------


def synthesize_index(base: Path, target: Path, chunks: int, settings: Settings) -> dict[str, Any]:
    """A full index of about `chunks` chunks: the base articles replicated, vectors perturbed."""
    from qa.chunking import Chunk
    from qa.lexical import LexicalIndex
    from qa.store import IndexReader, building, write_store
    from qa.vector_index import describe, is_approximate, make_vector_index

    reader = IndexReader(base)
    originals = [a for a in (reader.article(i) for i in reader.manifest["articles"]) if a]
    stored = {a.id: reader.chunks_of_article(a.id) for a in originals}
    real = {i: reader.vectors_of([c.row for c in chunks]) for i, chunks in stored.items()}
    copies = max(1, round(chunks / reader.chunk_count))
    rng = np.random.default_rng(0)
    articles, rows, blocks = [], [], []
    for copy in range(copies):
        for article in originals:
            suffix = f"~{copy}" if copy else ""
            articles.append(replace(article, id=article.id + suffix))
            for c in stored[article.id]:
                rows.append(
                    Chunk(article.id + suffix, c.paragraph, c.start, c.end, c.text, c.tokens)
                )
            vectors = real[article.id]
            if copy:
                vectors = vectors + rng.standard_normal(vectors.shape, dtype=np.float32) * (
                    NOISE / np.sqrt(vectors.shape[1])
                )
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            blocks.append(vectors)
    matrix = np.vstack(blocks).astype(np.float32)
    # Chunk rows are laid out copy after copy in the base index's article order.
    order = [c.row for a in originals for c in stored[a.id]]
    sentences = reader.sentences.tiled(order, copies)
    manifest = dict(reader.manifest)
    manifest["counts"] = {
        **manifest["counts"],
        "articles": len(articles),
        "chunks": len(rows),
        "sentences": len(sentences),
    }
    manifest["articles"] = {a.id: a.content_hash for a in articles}
    manifest["synthesized"] = {"from": str(base), "copies": copies, "noise": NOISE}
    started = time.perf_counter()
    index = make_vector_index(matrix, settings.ann_min_chunks)
    index_seconds = time.perf_counter() - started
    manifest["vector_index"] = describe(index)
    with building(target) as folder:
        exact = matrix if is_approximate(index) else None
        write_store(folder, articles, rows, manifest, index, sentences, {}, exact)
        LexicalIndex.build(c.text for c in rows).save(folder)
    return {
        "chunks": len(rows),
        "articles": len(articles),
        "vector_index": describe(index),
        "vector_index_build_s": round(index_seconds, 1),
        "bytes_per_chunk": round(folder_bytes(target) / len(rows)),
        "vectors_bytes_per_chunk": round((target / "vectors.faiss").stat().st_size / len(rows)),
        "matrix": matrix,
    }


def bench_search(matrix: np.ndarray, queries: np.ndarray, index_dir: Path) -> dict[str, Any]:
    """Recall@10 of the saved index's search (approximate: candidates re-scored exactly, as the
    answer path searches) against exact search over the same vectors, and its speed."""
    import faiss

    from qa.store import IndexReader

    exact = faiss.IndexFlatIP(matrix.shape[1])
    exact.add(matrix)
    _, truth = exact.search(queries, RECALL_K)
    reader = IndexReader(index_dir)
    result = {
        "recall@10": _recall(truth, _found(reader, queries)),
        "search_ms": percentiles(_search_times(lambda q: reader.search(q, 50), queries)),
        "exact_search_ms": percentiles(
            _search_times(lambda q: exact.search(q.reshape(1, -1), 50), queries)
        ),
    }
    ivf = faiss.try_extract_index_ivf(reader.vectors)
    if ivf is not None:  # the recall / speed trade-off around the chosen number of probes
        chosen = ivf.nprobe
        result["probe_sweep"] = []
        for probes in sorted({8, 16, 32, 64, chosen, 128, 256} & set(range(1, ivf.nlist + 1))):
            ivf.nprobe = probes
            _, unrefined = reader.vectors.search(queries, RECALL_K)
            result["probe_sweep"].append(
                {
                    "probes": probes,
                    "recall@10": _recall(truth, _found(reader, queries)),
                    "recall@10_unrefined": _recall(truth, unrefined),
                    "p50_ms": percentiles(_search_times(lambda q: reader.search(q, 50), queries))[
                        "p50_ms"
                    ],
                }
            )
        ivf.nprobe = chosen
    return result


def _found(reader: Any, queries: np.ndarray) -> np.ndarray:
    return np.array([reader.search(q, RECALL_K)[1] for q in queries])


def _recall(truth: np.ndarray, found: np.ndarray) -> float:
    shares = [len(set(a) & set(b)) / RECALL_K for a, b in zip(truth, found, strict=True)]
    return round(float(np.mean(shares)), 4)


def _search_times(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> list[float]:
    times = []
    for query in queries:
        mark = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - mark) * 1000)
    return times


def bench_ann_choices(matrix: np.ndarray, queries: np.ndarray) -> list[dict[str, Any]]:
    """IVF (what make_vector_index builds) against HNSW on the same vectors, built in memory."""
    import faiss

    from qa.vector_index import describe, make_vector_index

    exact = faiss.IndexFlatIP(matrix.shape[1])
    exact.add(matrix)
    _, truth = exact.search(queries, RECALL_K)
    rows = []
    for name, make in (
        ("ivf-sq8", lambda: make_vector_index(matrix, 0)),
        ("hnsw32-flat", lambda: _hnsw(matrix)),
    ):
        started = time.perf_counter()
        index = make()
        built = time.perf_counter() - started
        _, found = index.search(queries, RECALL_K)
        rows.append(
            {
                "index": name,
                "params": describe(index) if name.startswith("ivf") else {"M": 32, "efSearch": 64},
                "build_s": round(built, 1),
                "recall@10": _recall(truth, found),
                "search_ms": percentiles(
                    _search_times(lambda q, i=index: i.search(q.reshape(1, -1), 50), queries)
                ),
                "bytes_per_vector": round(faiss.serialize_index(index).nbytes / len(matrix)),
            }
        )
    return rows


def _hnsw(matrix: np.ndarray) -> Any:
    import faiss

    index = faiss.IndexHNSWFlat(matrix.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efSearch = 64
    index.add(matrix)
    return index


# --- the whole run -------------------------------------------------------------------------

PARTS = ("build", "quality", "embed", "answers", "http", "scale")


def run_bench(
    eval_dir: Path,
    work: Path,
    backends: Sequence[str],
    parts: Sequence[str],
    sizes: Sequence[int],
    http_seconds: float,
    embed_sample: int,
    squad_step: int,
    log: Callable[[str], None],
    checkpoint: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Every measurement of `parts`, in one run; `checkpoint` gets the results after each part."""
    from qa.evaluate import evaluate, read_questions
    from qa.search import Searcher

    sources = [
        str(eval_dir / "bbc" / "articles.jsonl"),
        str(eval_dir / "squad2" / "articles.jsonl"),
    ]
    question_files = [eval_dir / "bbc" / "questions.jsonl", eval_dir / "squad2" / "questions.jsonl"]
    asked = {path.parent.name: read_questions(path) for path in question_files}
    asked["squad2"] = asked["squad2"][::squad_step]
    # Latency questions: every BBC one and the first SQuAD ones, 300 in all.
    questions = [q.question for q in [*asked["bbc"], *asked["squad2"]]][:300]
    fast = backends[0]
    index_of = {name: work / f"index-{name}" for name in backends}
    results: dict[str, Any] = {"machine": machine(), "backends": list(backends)}

    if "build" in parts:
        results["build"] = []
        for name in backends:
            log(f"build with {name}")
            results["build"].append(bench_build(sources, name, index_of[name]))
        fp32 = next((b for b in results["build"] if b["backend"] == "torch"), None)
        for row in results["build"]:
            if fp32:
                row["x_torch_build"] = round(fp32["wall_s"] / row["wall_s"], 2)

    checkpoint(results)
    if "quality" in parts:
        results["quality"] = []
        for index_backend in backends:
            # Each index with its own backend; the fp32 one also with the fast backend's queries
            # (indexes are meant to be searchable by any backend of the same weights).
            extra = [fast] if index_backend == "torch" else []
            for query_backend in dict.fromkeys([index_backend, *extra]):
                log(f"quality: index {index_backend}, queries {query_backend}")
                settings = settings_for(index_of[index_backend], query_backend)
                searcher = Searcher(settings)
                for name, items in asked.items():
                    report = evaluate(searcher, items, "hybrid", name=name).to_dict()
                    results["quality"].append(
                        {"index": index_backend, "queries": query_backend, **report}
                    )

    checkpoint(results)
    if "embed" in parts:
        log("embedding: backends against plain SentenceTransformer.encode fp32")
        from qa.store import IndexReader

        texts = list(IndexReader(index_of[fast]).all_chunk_texts())
        sample = texts[:: max(1, len(texts) // embed_sample)][:embed_sample]
        results["embed"] = bench_embedding(sample, backends, Settings())
        if "build" in parts:
            plain = next(r for r in results["embed"] if r["variant"] == "plain-fp32-b32")
            for row in results["build"]:
                row["x_plain_fp32_encode"] = round(
                    row["article_pieces_per_s"] / plain["pieces_per_s"], 2
                )

    checkpoint(results)
    if "answers" in parts:
        results["answers"] = []
        for name in backends:
            log(f"answers through the library ({name})")
            settings = settings_for(index_of[name], name)
            results["answers"].append({"backend": name, **bench_answers(settings, questions)})

    checkpoint(results)
    if "http" in parts:
        log("answers through HTTP")
        results["http"] = [
            {
                "index": "eval",
                **bench_http(index_of[fast], fast, questions, (1, 4, 16), http_seconds),
            }
        ]

    checkpoint(results)
    if "scale" in parts:
        results["scale"] = []
        settings = Settings(backend=fast)
        from qa.embedding import load_embedder

        queries = load_embedder(settings).encode(questions)
        for size in sizes:
            target = work / f"index-{size}"
            log(f"scale: synthesizing {size} chunks")
            made = synthesize_index(index_of[fast], target, size, settings)
            matrix = made.pop("matrix")
            row = {"target": size, **made}
            log(f"scale: search at {made['chunks']} chunks")
            row.update(bench_search(matrix, queries, target))
            if size <= 200_000:
                row["ann_choices"] = bench_ann_choices(matrix, queries)
            del matrix
            row["answers"] = bench_answers(settings_for(target, fast), questions)
            if "http" in parts:
                log(f"scale: HTTP at {made['chunks']} chunks")
                row["http"] = bench_http(target, fast, questions, (1, 4), http_seconds)
            results["scale"].append(row)
            checkpoint(results)
    return results


def machine() -> dict[str, Any]:
    import platform

    from qa.backends import cpu_flags

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    wanted = ("avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "flags": sorted(set(wanted) & cpu_flags()),
        "python": platform.python_version(),
        "load_at_start": os.getloadavg()[0],
    }


def format_tables(results: dict[str, Any]) -> str:
    """The results as plain-text tables, one per part."""
    out = [f"machine: {results['machine']}"]
    if "build" in results:
        out.append(
            _table(
                results["build"],
                "backend wall_s read_chunk_s embed_s write_s articles_per_s chunks_per_s "
                "article_pieces_per_s peak_rss_mib bytes_per_chunk x_torch_build "
                "x_plain_fp32_encode",
            )
        )
    if "embed" in results:
        out.append(
            _table(
                results["embed"],
                "variant pieces_per_s x_fp32 cosine_mean cosine_min query_ms",
            )
        )
    if "quality" in results:
        out.append(
            _table(
                results["quality"],
                "index queries questions answer_hit@1 answer_hit@5 article_hit@1 mrr@10 p50_ms",
            )
        )
    if "answers" in results:
        out.append(
            _table(results["answers"], "backend questions p50_ms p95_ms p99_ms answers_per_s")
        )
    http = [
        {"index": h["index"], "startup_s": h["startup_s"], "rss_mib": h["server_rss_mib"], **level}
        for h in results.get("http", [])
        for level in h["levels"]
    ]
    for row in results.get("scale", []):
        out.append(
            f"scale {row['chunks']} chunks: {row['vector_index']}, recall@10 {row['recall@10']}, "
            f"search {row['search_ms']}, exact {row['exact_search_ms']}, "
            f"{row['bytes_per_chunk']} bytes/chunk on disk, library answers {row['answers']}"
        )
        if "ann_choices" in row:
            out.append(
                _table(row["ann_choices"], "index build_s recall@10 search_ms bytes_per_vector")
            )
        if "http" in row:
            http += [
                {
                    "index": row["chunks"],
                    "startup_s": row["http"]["startup_s"],
                    "rss_mib": row["http"]["server_rss_mib"],
                    **level,
                }
                for level in row["http"]["levels"]
            ]
    if http:
        out.append(
            _table(
                http,
                "index startup_s rss_mib clients answers errors p50_ms p95_ms p99_ms answers_per_s",
            )
        )
    return "\n\n".join(out)


def _table(rows: Sequence[dict[str, Any]], columns: str) -> str:
    names = columns.split()
    cells = [names] + [[str(row.get(name, "")) for name in names] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(names))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells
    )

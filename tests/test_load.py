"""A short, bounded load run against the real `qa serve`: zero errors, memory does not grow.

The documented 60 s run with figures is `python -m bench.load`; no latency is asserted here
(timings on a shared machine are noise), only correctness and bounded memory.
"""

from __future__ import annotations

import pytest

from bench.load import run_load, serving, warm_up
from qa.config import Settings

CLIENTS = 8
SECONDS = 5.0
# Memory bounds. Within a run, RSS may rise while all server threads hold working memory
# at once; between two runs on the same server it must not keep climbing (a leak would).
MAX_RISE_MIB = 200
MAX_GROWTH_MIB = 32


@pytest.fixture(scope="module")
def server(seed_index: Settings):
    with serving(seed_index.index_dir) as running:
        yield running


def test_eight_clients_for_five_seconds_get_no_errors_and_memory_stays_flat(server) -> None:
    warm_up(server.port)
    result = run_load(server.port, server.pid, CLIENTS, SECONDS)
    print(
        f"\nload: {result.requests} requests, {result.errors} errors, "
        f"{result.throughput_rps} req/s, p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, "
        f"RSS {result.rss_start_mib} → {result.rss_end_mib} MiB (max {result.rss_max_mib})"
    )
    assert result.errors == 0, result.error_samples
    assert result.requests >= CLIENTS  # every client got at least one answer through
    assert result.rss_max_mib - result.rss_start_mib < MAX_RISE_MIB
    assert server.process.poll() is None

    # A second run on the same server: memory reached a plateau, it does not keep climbing.
    again = run_load(server.port, server.pid, CLIENTS, SECONDS)
    print(f"again: {again.requests} requests, RSS end {again.rss_end_mib} MiB")
    assert again.errors == 0, again.error_samples
    assert again.rss_max_mib - result.rss_max_mib < MAX_GROWTH_MIB
    assert again.rss_end_mib - result.rss_end_mib < MAX_GROWTH_MIB

"""The one Milvus standalone server launcher (PyPI `milvus` 2.3.5, the C++ engine), for the
scale-out benchmark and the tests alike: started in a data folder, stopped by its process id."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# It starts in about 8 s here; a busy machine may take much longer.
START_S = 120


class MilvusFailed(RuntimeError):
    """The server exited or did not answer its health check in time (the message says which)."""


@contextmanager
def milvus_server(data: Path) -> Iterator[str]:
    """A Milvus standalone server over `data`, up for the block: its milvus://127.0.0.1:PORT.

    It binds fixed ports (one instance per machine at a time); the server package must be
    installed (ModuleNotFoundError otherwise).
    """
    from milvus import MilvusServer

    server = MilvusServer(data_dir=str(data), wait_for_started=False)
    try:
        server.start()
        deadline = time.monotonic() + START_S
        while not _is_up(server.webservice_port):
            if server.server_proc.poll() is not None or time.monotonic() > deadline:
                log = Path(data) / "logs" / "milvus-stdout.log"
                last = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no log"]
                raise MilvusFailed(f"the Milvus server did not start: {last[0]}")
            time.sleep(0.2)
        yield f"milvus://127.0.0.1:{server.listen_port}"
    finally:
        server.stop()  # terminates its process by pid, then kills it if it lingers


def _is_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return b"OK" in response.read()
    except OSError:
        return False

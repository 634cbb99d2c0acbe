"""The part of tests/test_ray_engine.py that starts Ray, run inside a loopback-only namespace.

`python -m tests.ray_job WORK FIRST SECOND`: builds WORK/ray from FIRST, then from SECOND
(incremental), both through `qa build --engine ray`; then the failures: a cluster address
nobody answers at, GPUs the cluster lacks, and workers that cannot load the model. Writes what
happened to WORK/results.json for the test to check.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import ray
from click.testing import CliRunner

from bench.namespace import loopback_only
from qa.cli import main
from qa.config import Settings
from qa.embed.embedder import load_embedder, resolve_model
from qa.index.build import build_index
from qa.index.reader import LocalIndex

NOBODY = "127.0.0.1:1"  # a cluster address where nothing listens


def cli(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`qa ARGS` through click, as a user runs it: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, list(args), env=env)
    return {"code": result.exit_code, "out": result.stdout, "err": result.stderr}


def build_id(index: Path) -> str:
    return LocalIndex(index).manifest["build_id"]


def failure(settings: Settings, sources: str, embedder: Any) -> dict[str, Any]:
    """What a Ray build of every article that fails says, and whether the index changed."""
    before = build_id(settings.index_dir)
    try:
        build_index(settings, [sources], full=True, embedder=embedder)
        error = None
    except Exception as exc:  # the message a user would read
        error = str(exc)
    return {"error": error, "unchanged": build_id(settings.index_dir) == before}


def workers_without_the_model(work: Path, settings: Settings, sources: str) -> dict[str, Any]:
    """A driver that has the model and workers that do not (as on a misconfigured cluster)."""
    model = work / "model"
    shutil.copytree(resolve_model(settings.model), model)
    settings = settings.overridden(model=str(model))
    embedder = load_embedder(settings)
    assert embedder.weights_hash  # read now: the weights go next
    shutil.rmtree(model)
    return failure(settings, sources, embedder)


def run(work: Path, first: str, second: str) -> dict[str, Any]:
    index = work / "ray"
    ray_build = ("build", "--engine", "ray", "--index", str(index))
    results: dict[str, Any] = {"loopback_only": loopback_only()}
    # Each of these starts a local Ray and stops it again, as a user's `qa build` does.
    results["first"] = cli(*ray_build, "--ray-actors", "2", "--json", first)
    results["second"] = cli(*ray_build, second)
    built = build_id(index)
    results["nobody"] = cli(*ray_build, "--full", second, env={"RAY_ADDRESS": NOBODY})
    results["nobody"]["unchanged"] = build_id(index) == built
    # One Ray of our own for the rest, as a cluster would be: a failed build leaves it usable.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    settings = Settings(index_dir=index, engine="ray")
    results["gpus"] = failure(settings.overridden(ray_gpus=1.0), second, load_embedder(settings))
    results["model"] = workers_without_the_model(work, settings, second)
    ray.shutdown()
    return results


if __name__ == "__main__":
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    work_dir, first_sources, second_sources = sys.argv[1:4]
    outcome = run(Path(work_dir), first_sources, second_sources)
    (Path(work_dir) / "results.json").write_text(json.dumps(outcome, indent=1), encoding="utf-8")

"""Ray probes cloud metadata addresses when it starts, so every run that starts Ray (tests,
benchmarks) happens in a network namespace with loopback only: the wrapper that makes one, and
the check that a process is inside one."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path

NETWORK_DEVICES = Path("/proc/net/dev")  # this process's namespace (unlike /sys/class/net)
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0"}  # and no usage report either
HOW = "unshare --net sh -c 'ip link set lo up && RAY_USAGE_STATS_ENABLED=0 …'"


def loopback_only() -> bool:
    """Whether this process sees no network device but loopback."""
    lines = NETWORK_DEVICES.read_text(encoding="ascii").splitlines()[2:]  # below two headings
    return {line.split(":", 1)[0].strip() for line in lines} <= {"lo"}


def in_namespace(command: Sequence[str]) -> list[str]:
    """`command` run in a new network namespace whose only device, loopback, is up."""
    return ["unshare", "--net", "sh", "-c", f"ip link set lo up && exec {shlex.join(command)}"]


def why_no_namespace() -> str | None:
    """None where this user may make a network namespace, else the reason it was refused."""
    try:
        done = subprocess.run(in_namespace(["true"]), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare cannot run here: {exc}"
    if done.returncode:
        return f"unshare --net is not permitted here: {done.stderr.strip() or done.returncode}"
    return None

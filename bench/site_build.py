"""How much the snippet pipeline costs a build of the blog.

Three builds of the same pages, each ``mkdocs build --strict`` in a fresh process:

- cold: an empty snippet cache, so every snippet runs;
- warm: everything cached, so no snippet runs;
- plain: execution turned off (``DLM_SNIPPETS_EXECUTE=0``): directives become placeholders.

Warm and plain builds alternate, ``--repeat`` times each, and the medians are compared. The
target is warm / plain <= 1.3.

    python bench/site_build.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(site: Path, cache: Path, execute: bool) -> tuple[float, float]:
    """One ``mkdocs build --strict`` in a subprocess; its wall time and CPU time in seconds.

    The CPU time (user + system, the build and the snippets it runs) is steadier than the wall
    time on a shared machine."""
    env = dict(os.environ)
    env.update(
        {
            "NO_MKDOCS_2_WARNING": "1",
            "DLM_SNIPPETS_CACHE": str(cache),
            "DLM_SNIPPETS_EXECUTE": "1" if execute else "0",
        }
    )
    env.pop("DLM_SNIPPETS_FORCE", None)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stderr[-4000:]}")
    return seconds, cpu


def main() -> None:
    """Run the three builds and print their times and the warm/plain ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm and plain builds, each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlm-bench-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cache"
        cold = build(tmp / "site", cache, execute=True)
        report = json.loads((cache / "report.json").read_text())
        ran = sum(1 for s in report["snippets"] if s["status"] == "ran")
        warm, plain = [], []
        for _ in range(args.repeat):
            warm.append(build(tmp / "site", cache, execute=True))
            plain.append(build(tmp / "site", cache, execute=False))
    w = [statistics.median(t[i] for t in warm) for i in (0, 1)]
    p = [statistics.median(t[i] for t in plain) for i in (0, 1)]
    print(
        f"snippets: {ran} ran in the cold build; CPUs: {len(os.sched_getaffinity(0))}; "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    print("                                 wall      CPU")
    print(f"cold build (empty cache):     {cold[0]:6.2f} s {cold[1]:6.2f} s")
    print(f"warm build (all cached):      {w[0]:6.2f} s {w[1]:6.2f} s  (median of {args.repeat})")
    print(f"plain build (execution off):  {p[0]:6.2f} s {p[1]:6.2f} s  (median of {args.repeat})")
    print(f"warm / plain: {w[0] / p[0]:.2f}x wall, {w[1] / p[1]:.2f}x CPU  (target <= 1.3x)")


if __name__ == "__main__":
    main()

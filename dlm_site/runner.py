"""Run snippets in subprocesses, in parallel, through the cache.

Each snippet runs as ``python <snippet>`` in a fresh process, from the project root, with
``MPLBACKEND=Agg``, ``PYTHONHASHSEED=0``, one BLAS thread (snippets already run one per CPU, and
two BLAS threads per snippet on a busy machine make a training step ten times slower) and
``DLM_PUBLISH_DIR`` set to an empty folder that the publishing helper fills. A fresh process
always imports the ``dlm`` that is on disk now. A snippet that raises, exits non-zero or runs past
its timeout is a ``SnippetError``, which names the snippet, the line in it and the exception;
failures are never cached.

The build and the tests use the same entry point, ``run_all``. From a shell::

    python -m dlm_site.runner snippets/general_concepts/patients.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dlm_site import cache as cache_mod
from dlm_site import publish
from dlm_site.directives import snippet_timeout

DEFAULT_TIMEOUT = 120.0

#: Environment variables read by the runner and the plugin.
ENV_FORCE = "DLM_SNIPPETS_FORCE"  # 1: run every snippet again, ignoring cached results
ENV_EXECUTE = "DLM_SNIPPETS_EXECUTE"  # 0: run nothing, show placeholders (a plain build)
ENV_TIMEOUT = "DLM_SNIPPETS_TIMEOUT"  # default timeout in seconds
ENV_JOBS = "DLM_SNIPPETS_JOBS"  # how many snippets run at once (default: the CPU count)
ENV_CACHE = "DLM_SNIPPETS_CACHE"  # the cache folder (default .cache/snippets)


def env_flag(name: str, default: bool) -> bool:
    """Read a yes/no environment variable (``1``/``0``, ``true``/``false``, ``yes``/``no``)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, got {os.environ[name]!r}")


class SnippetError(Exception):
    """A snippet that did not run to the end: it raised, exited non-zero or timed out."""

    def __init__(self, snippet: str, line: int | None, summary: str, details: str) -> None:
        where = f"snippets/{snippet}" + (f", line {line}" if line else "")
        super().__init__(f"{where}: {summary}")
        self.snippet = snippet
        self.line = line
        self.summary = summary
        self.details = details


@dataclass
class Job:
    """One snippet to run: its path under ``snippets/``, its absolute path, key and timeout."""

    snippet: str
    path: Path
    key: str
    timeout: float


@dataclass
class Outcome:
    """What happened to one snippet: ``status`` is ``hit``, ``ran``, ``failed`` or ``missing``."""

    snippet: str
    status: str
    seconds: float
    key: str = ""
    entry: cache_mod.Entry | None = None
    failure: SnippetError | None = None
    published: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the snippet has results to show."""
        return self.entry is not None


_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')


def parse_traceback(stderr: str, snippet_path: Path) -> tuple[int | None, str]:
    """The line of the snippet in the last traceback frame that lies in it, and the exception.

    The exception is the last non-indented line of the traceback (``AssertionError: ...``).
    """
    target = os.path.realpath(snippet_path)
    lines = stderr.rstrip().splitlines()
    # With chained exceptions, the last traceback is the one that ended the program.
    start = max((i for i, t in enumerate(lines) if t.startswith("Traceback")), default=None)
    if start is None:
        return None, ""
    line, last_frame = None, start
    for i, text in enumerate(lines[start:], start):
        match = _FRAME.match(text)
        if match:
            last_frame = i
            if os.path.realpath(match.group("file")) == target:
                line = int(match.group("line"))
    # The exception starts at the first unindented line after the last frame.
    rest = lines[last_frame + 1 :]
    first = next((i for i, t in enumerate(rest) if t and not t[0].isspace()), None)
    exception = "\n".join(rest[first:]).strip() if first is not None else ""
    return line, exception


# The snippet processes running now. Each runs in its own session (so that a timeout can kill its
# whole process group), which also shields it from the terminal's Ctrl-C: run_all kills them.
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


def kill_all() -> None:
    """Kill every snippet process that is running (on Ctrl-C, or when a build is abandoned)."""
    with _live_lock:
        processes = list(_live)
    for process in processes:
        _kill(process)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def execute(job: Job, workdir: Path, root: Path) -> dict:
    """Run one snippet into ``workdir``; return its result or raise ``SnippetError``."""
    env = dict(os.environ)
    env.update(
        {
            "MPLBACKEND": "Agg",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            publish.OUT_ENV: str(workdir),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(job.path)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so a timeout kills its children too
    )
    with _live_lock:
        _live.add(process)
    try:
        stdout, stderr = process.communicate(timeout=job.timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        stdout, stderr = process.communicate()
        raise SnippetError(
            job.snippet,
            None,
            f"timed out after {job.timeout:g} s (ask for more with a line "
            "'# dlm-snippet: timeout=SECONDS' in the snippet)",
            stderr.decode("utf-8", "replace")[-4000:],
        ) from None
    finally:
        with _live_lock:
            _live.discard(process)
    seconds = time.monotonic() - start
    out = stdout.decode("utf-8", "replace")
    err = stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        line, exception = parse_traceback(err, job.path)
        if exception:
            summary = exception
        elif process.returncode < 0:
            summary = f"killed by signal {-process.returncode}"
        else:
            summary = f"exited with status {process.returncode}"
        raise SnippetError(job.snippet, line, summary, err[-4000:])
    manifest = workdir / publish.MANIFEST
    if manifest.exists():
        published = json.loads(manifest.read_text(encoding="utf-8"))
    else:
        published = {"values": {}, "tables": {}, "figures": {}}
    return {
        "snippet": job.snippet,
        "stdout": out,
        "stderr": err,
        "seconds": round(seconds, 3),
        "published": published,
    }


def run_job(job: Job, store: cache_mod.Cache, root: Path, force: bool = False) -> Outcome:
    """Return the cached result of ``job``, or run it and cache what it publishes."""
    start = time.monotonic()
    if not force:
        entry = store.lookup(job.key)
        if entry is not None:
            return Outcome(
                job.snippet,
                "hit",
                time.monotonic() - start,
                job.key,
                entry,
                published=entry.result["published"],
            )
    if not job.path.is_file():
        failure = SnippetError(job.snippet, None, "the snippet file does not exist", "")
        return Outcome(job.snippet, "missing", 0.0, job.key, failure=failure)
    workdir = store.new_workdir(job.key)
    try:
        result = execute(job, workdir, root)
    except SnippetError as failure:
        shutil.rmtree(workdir, ignore_errors=True)
        return Outcome(job.snippet, "failed", time.monotonic() - start, job.key, failure=failure)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    entry = store.commit(job.key, workdir, result, replace=force)
    return Outcome(
        job.snippet, "ran", time.monotonic() - start, job.key, entry, published=result["published"]
    )


@dataclass
class Project:
    """Where things are: the root, ``snippets/``, the folders whose files go into every key."""

    root: Path
    snippets_dir: Path
    key_dirs: list[Path]
    cache_dir: Path

    def dependencies(self) -> list[Path]:
        """Every file that every snippet depends on, besides its own source."""
        files = [Path(publish.__file__).resolve()]
        for folder in self.key_dirs:
            files += cache_mod.tree_files(folder)
        files += cache_mod.shared_snippet_files(self.snippets_dir)
        return files

    def make_jobs(self, snippets: list[str], default_timeout: float) -> list[Job]:
        """The jobs for these snippets (paths under ``snippets/``), with their keys."""
        deps = cache_mod.dependency_digest(self.root, self.dependencies())
        versions = cache_mod.versions()
        jobs = []
        for snippet in snippets:
            path = self.snippets_dir / snippet
            try:
                source = path.read_bytes()
            except OSError:
                source = b""
            key = cache_mod.snippet_key(snippet, source, deps, versions)
            timeout = snippet_timeout(source.decode("utf-8", "replace"), default_timeout)
            jobs.append(Job(snippet, path, key, timeout))
        return jobs


def default_jobs() -> int:
    """How many snippets run at once: ``DLM_SNIPPETS_JOBS``, else the number of usable CPUs."""
    if os.environ.get(ENV_JOBS):
        return max(1, int(os.environ[ENV_JOBS]))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_all(
    project: Project,
    snippets: list[str],
    *,
    timeout: float | None = None,
    force: bool | None = None,
    jobs: int | None = None,
) -> dict[str, Outcome]:
    """Run (or find in the cache) every snippet, ``jobs`` at a time; return outcomes by snippet.

    ``timeout`` defaults to ``DLM_SNIPPETS_TIMEOUT`` or 120 s, ``force`` to ``DLM_SNIPPETS_FORCE``.
    """
    if timeout is None:
        timeout = float(os.environ.get(ENV_TIMEOUT) or DEFAULT_TIMEOUT)
    if force is None:
        force = env_flag(ENV_FORCE, False)
    store = cache_mod.Cache(project.cache_dir)
    todo = project.make_jobs(sorted(set(snippets)), timeout)
    workers = min(jobs or default_jobs(), max(1, len(todo)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        try:
            outcomes = list(pool.map(lambda job: run_job(job, store, project.root, force), todo))
        except BaseException:  # Ctrl-C: do not wait for the snippets still running
            pool.shutdown(wait=False, cancel_futures=True)
            kill_all()
            raise
    return {outcome.snippet: outcome for outcome in outcomes}


def find_snippets(snippets_dir: Path) -> list[str]:
    """Every snippet under ``snippets/``: ``.py`` files not named ``_*``, as relative paths."""
    return [
        path.relative_to(snippets_dir).as_posix()
        for path in cache_mod.tree_files(snippets_dir)
        if path.suffix == ".py" and not path.name.startswith("_")
    ]


def default_project(root: Path | None = None) -> Project:
    """The project layout of this repository (``snippets/``, ``dlm/``, ``.cache/snippets``)."""
    root = Path(root or Path(__file__).resolve().parent.parent)
    cache_dir = Path(os.environ.get(ENV_CACHE) or root / ".cache" / "snippets")
    return Project(root, root / "snippets", [root / "dlm"], cache_dir)


def main(argv: list[str]) -> int:
    """Run the named snippets (or all) through the build's runner and print what they publish."""
    project = default_project(Path.cwd())
    names = [
        Path(arg).resolve().relative_to(project.snippets_dir.resolve()).as_posix() for arg in argv
    ] or find_snippets(project.snippets_dir)
    status = 0
    for snippet, outcome in run_all(project, names).items():
        print(f"{snippet}: {outcome.status} in {outcome.seconds:.2f} s")
        if outcome.failure:
            print(str(outcome.failure))
            print(outcome.failure.details)
            status = 1
            continue
        assert outcome.entry is not None
        for kind, items in outcome.published.items():
            for name in items:
                print(f"  {kind[:-1]} {name}")
        print(f"  results in {outcome.entry.path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

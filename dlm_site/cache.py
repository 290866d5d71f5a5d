"""A content-addressed cache of snippet results.

The key of a snippet is a SHA-256 over everything that can change what it publishes: its own
source, every file under ``dlm/`` (the code and the data), the publishing helper, the shared files
under ``snippets/`` (names starting with ``_``, and any file that is not a ``.py``), and the
versions of Python, numpy and matplotlib. An edit anywhere gives a new key, so a stale result is
never found.

An entry is a folder ``<cache>/<key>/`` holding ``result.json`` and the figure files. The runner
fills a temporary folder and renames it into place (``commit``), so an interrupted build never
leaves a half entry under a real key. Failures are never cached.

Several builds may share one cache (``mkdocs serve`` beside ``pytest``, two terminals), so
pruning must never delete an entry another build is using. Every lookup that finds an entry
touches its ``result.json`` (the entry's "last used" time), and ``prune`` deletes an entry only
if it is not in this build's ``keep`` set *and* no build has looked it up for ``unused_for``
seconds (an hour by default). A build reads an entry's files within seconds of its lookup, so
a recently used entry is always there. Deletion is a rename out of the way first (atomic), then
a last look at the "last used" time, then the removal: a reader sees a whole entry or none.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: Bump when the format of an entry or the runner's protocol changes.
CACHE_VERSION = "dlm-snippets-1"
RESULT = "result.json"
#: An entry that no build has used for this long (seconds) may be pruned.
PRUNE_AFTER = 3600.0

# (path) -> (mtime_ns, size, digest): files are hashed again only when they change.
_digests: dict[str, tuple[int, int, str]] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, memoised on its modification time and size."""
    stat = path.stat()
    known = _digests.get(str(path))
    if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
        return known[2]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _digests[str(path)] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def tree_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted, without caches (``__pycache__``, ``.pyc``)."""
    if not folder.exists():
        return []
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".pyc") or name.startswith("."):
                continue
            files.append(Path(dirpath) / name)
    return sorted(files)


def shared_snippet_files(snippets_dir: Path) -> list[Path]:
    """Files under ``snippets/`` that every snippet may read: helpers named ``_*.py`` and data."""
    return [
        path
        for path in tree_files(snippets_dir)
        if path.name.startswith("_") or path.suffix != ".py"
    ]


def versions() -> dict[str, str]:
    """The versions that go into every key: Python, numpy, matplotlib."""
    found = {"python": sys.version}
    for package in ("numpy", "matplotlib"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def dependency_digest(root: Path, paths: list[Path]) -> str:
    """One digest over the named files (paths relative to ``root`` go in too)."""
    sha = hashlib.sha256()
    for path in paths:
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:  # the publish helper of an installed dlm_site: its name is enough
            rel = "external/" + path.name
        sha.update(f"{rel}\0{file_digest(path)}\n".encode())
    return sha.hexdigest()


def snippet_key(snippet_rel: str, source: bytes, deps_digest: str, env: dict[str, str]) -> str:
    """The key of one snippet: its path and source, the dependency digest, and the versions."""
    sha = hashlib.sha256()
    sha.update(CACHE_VERSION.encode() + b"\n")
    sha.update(snippet_rel.encode() + b"\n")
    sha.update(hashlib.sha256(source).hexdigest().encode() + b"\n")
    sha.update(deps_digest.encode() + b"\n")
    sha.update(json.dumps(env, sort_keys=True).encode())
    return sha.hexdigest()[:32]


@dataclass
class Entry:
    """A cached result: the folder, and ``result.json`` read back."""

    key: str
    path: Path
    result: dict

    def file(self, name: str) -> Path:
        """A file of the entry (a figure)."""
        return self.path / name


class Cache:
    """The cache folder: look up, commit and prune entries."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def lookup(self, key: str, touch: bool = True) -> Entry | None:
        """The entry for ``key``, or ``None``. A folder without a readable result is no entry.

        A found entry is touched (its ``result.json`` gets the current time), which protects it
        from ``prune`` in every build sharing the cache for ``unused_for`` seconds.
        """
        path = self.folder / key
        try:
            if touch:
                os.utime(path / RESULT)
            result = json.loads((path / RESULT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Entry(key, path, result)

    def last_used(self, key: str) -> float | None:
        """When an entry was last looked up or written (seconds since the epoch), or ``None``."""
        try:
            return (self.folder / key / RESULT).stat().st_mtime
        except OSError:
            return None

    def new_workdir(self, key: str) -> Path:
        """A fresh temporary folder, on the cache's file system, for a run to fill."""
        tmp = self.folder / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{key}-", dir=tmp))

    def commit(self, key: str, workdir: Path, result: dict, replace: bool = False) -> Entry:
        """Write ``result.json`` into ``workdir`` and rename it to the entry for ``key``.

        The rename is atomic: the entry appears whole or not at all. If another build committed
        the same key first, its entry is kept (same key, same content) and ``workdir`` deleted.
        With ``replace`` (a forced run), an existing entry is moved aside and replaced.
        """
        tmp_json = workdir / (RESULT + ".tmp")
        tmp_json.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp_json, workdir / RESULT)
        target = self.folder / key
        if replace and target.exists():
            moved = self.folder / "tmp" / f"replaced-{key}-{os.getpid()}-{time.monotonic_ns()}"
            try:
                os.rename(target, moved)
            except OSError:
                pass
            else:
                shutil.rmtree(moved, ignore_errors=True)
        try:
            os.rename(workdir, target)
        except OSError:
            if self.lookup(key) is None:
                # A broken folder under the key (from an old crash of another tool): replace it.
                shutil.rmtree(target, ignore_errors=True)
                os.rename(workdir, target)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        entry = self.lookup(key)
        assert entry is not None
        return entry

    def prune(
        self,
        keep: set[str],
        unused_for: float = PRUNE_AFTER,
        tmp_older_than: float = 3600.0,
        now: float | None = None,
    ) -> list[str]:
        """Delete the entries not in ``keep`` that no build has used for ``unused_for`` seconds.

        ``keep`` is what this build used: never deleted, whatever its age. An entry another build
        looked up recently is kept too (see the module's docstring). Temporary folders younger
        than ``tmp_older_than`` seconds may belong to a build running now, and are kept; older
        ones are deleted. Returns the deleted keys.
        """
        removed: list[str] = []
        if not self.folder.exists():
            return removed
        now = time.time() if now is None else now
        for path in sorted(self.folder.iterdir()):
            if path.name == "tmp" and path.is_dir():
                for work in path.iterdir():
                    try:
                        old = now - work.stat().st_mtime > tmp_older_than
                    except OSError:  # another build removed it meanwhile
                        continue
                    if old:
                        shutil.rmtree(work, ignore_errors=True)
                continue
            if not path.is_dir() or path.name in keep:
                continue
            used = self.last_used(path.name)
            if used is not None and now - used <= unused_for:
                continue
            if self._remove(path, unused_for, now):
                removed.append(path.name)
        return removed

    def _remove(self, path: Path, unused_for: float, now: float) -> bool:
        """Move an entry out of the way (atomic), check it was not just used, then delete it."""
        trash = self.folder / "tmp"
        trash.mkdir(parents=True, exist_ok=True)
        moved = trash / f"pruned-{path.name}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            os.rename(path, moved)
        except OSError:  # gone already, or another build is pruning it
            return False
        try:
            used = (moved / RESULT).stat().st_mtime
        except OSError:
            used = None
        if used is not None and now - used <= unused_for:
            # Touched between our look and the rename: put it back (unless re-created since).
            try:
                os.rename(moved, path)
                return False
            except OSError:
                pass
        shutil.rmtree(moved, ignore_errors=True)
        return True

"""The runner and the cache: keys, atomic entries, pruning, and every way a snippet can fail."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from dlm_site import cache as cache_mod
from dlm_site import runner
from dlm_site.runner import Project, parse_traceback, run_all


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project with ``snippets/``, a ``lib/`` key folder and its own cache."""
    monkeypatch.delenv(runner.ENV_FORCE, raising=False)
    (tmp_path / "snippets" / "demo").mkdir(parents=True)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "core.py").write_text("VERSION = 1\n")
    return Project(tmp_path, tmp_path / "snippets", [tmp_path / "lib"], tmp_path / "cache")


def write(project: Project, rel: str, text: str) -> Path:
    """Write a snippet under the project's ``snippets/``."""
    path = project.snippets_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def key_of(project: Project, rel: str) -> str:
    """The cache key of one snippet now."""
    return project.make_jobs([rel], 120)[0].key


# -- the cache key ---------------------------------------------------------------------------


def test_key_changes_with_the_snippet(project):
    """Editing a snippet changes its key."""
    write(project, "demo/a.py", "print(1)\n")
    before = key_of(project, "demo/a.py")
    write(project, "demo/a.py", "print(2)\n")
    assert key_of(project, "demo/a.py") != before


def test_key_changes_with_any_file_of_the_key_folders(project):
    """Editing, adding or removing a file under ``dlm/`` (here ``lib/``) changes every key."""
    write(project, "demo/a.py", "print(1)\n")
    first = key_of(project, "demo/a.py")
    (project.root / "lib" / "core.py").write_text("VERSION = 2\n")
    second = key_of(project, "demo/a.py")
    (project.root / "lib" / "data.npz").write_bytes(b"\x00\x01")
    third = key_of(project, "demo/a.py")
    assert len({first, second, third}) == 3


def test_key_changes_with_shared_snippet_files(project):
    """A shared helper (``snippets/_x.py``) or a data file under ``snippets/`` is in every key."""
    write(project, "demo/a.py", "print(1)\n")
    first = key_of(project, "demo/a.py")
    write(project, "_style.py", "COLOUR = 1\n")
    second = key_of(project, "demo/a.py")
    write(project, "demo/table.csv", "1,2\n")
    assert len({first, second, key_of(project, "demo/a.py")}) == 3


def test_key_ignores_other_snippets_and_pycache(project):
    """Another snippet or a ``__pycache__`` file does not change a snippet's key."""
    write(project, "demo/a.py", "print(1)\n")
    before = key_of(project, "demo/a.py")
    write(project, "demo/b.py", "print(2)\n")
    (project.root / "lib" / "__pycache__").mkdir()
    (project.root / "lib" / "__pycache__" / "core.cpython-311.pyc").write_bytes(b"x")
    assert key_of(project, "demo/a.py") == before


def test_key_covers_versions_and_the_publish_helper():
    """The versions of Python, numpy and matplotlib go into the key, with the helper file."""
    found = cache_mod.versions()
    assert set(found) == {"python", "numpy", "matplotlib"}
    base = cache_mod.snippet_key("a.py", b"x", "deps", found)
    assert cache_mod.snippet_key("a.py", b"x", "deps", {**found, "numpy": "0.0"}) != base
    project = runner.default_project()
    assert Path(runner.publish.__file__).resolve() in project.dependencies()


# -- running and caching ---------------------------------------------------------------------


def test_run_then_hit(project):
    """The first run executes the snippet, the second finds it in the cache."""
    write(
        project, "demo/a.py", "from dlm_site import publish\nprint('hi')\npublish.value('x', 3)\n"
    )
    first = run_all(project, ["demo/a.py"])["demo/a.py"]
    assert first.status == "ran" and first.published["values"] == {"x": "3"}
    assert first.entry.result["stdout"] == "hi\n"
    second = run_all(project, ["demo/a.py"])["demo/a.py"]
    assert second.status == "hit" and second.published == first.published


def test_force_runs_again(project):
    """``force`` (``DLM_SNIPPETS_FORCE=1``) re-executes a cached snippet."""
    write(project, "demo/a.py", "print('hi')\n")
    run_all(project, ["demo/a.py"])
    assert run_all(project, ["demo/a.py"], force=True)["demo/a.py"].status == "ran"
    os.environ[runner.ENV_FORCE] = "1"
    try:
        assert run_all(project, ["demo/a.py"])["demo/a.py"].status == "ran"
    finally:
        del os.environ[runner.ENV_FORCE]


def test_editing_the_library_reruns_every_snippet(project):
    """After an edit under the key folders, every snippet runs again; without one, none does."""
    write(project, "demo/a.py", "print(1)\n")
    write(project, "demo/b.py", "print(2)\n")
    run_all(project, ["demo/a.py", "demo/b.py"])
    statuses = {s: o.status for s, o in run_all(project, ["demo/a.py", "demo/b.py"]).items()}
    assert statuses == {"demo/a.py": "hit", "demo/b.py": "hit"}
    (project.root / "lib" / "core.py").write_text("VERSION = 3\n")
    statuses = {s: o.status for s, o in run_all(project, ["demo/a.py", "demo/b.py"]).items()}
    assert statuses == {"demo/a.py": "ran", "demo/b.py": "ran"}


def test_editing_one_snippet_reruns_only_it(project):
    """Editing one snippet re-runs it and leaves the others cached."""
    write(project, "demo/a.py", "print(1)\n")
    write(project, "demo/b.py", "print(2)\n")
    run_all(project, ["demo/a.py", "demo/b.py"])
    write(project, "demo/a.py", "print(10)\n")
    statuses = {s: o.status for s, o in run_all(project, ["demo/a.py", "demo/b.py"]).items()}
    assert statuses == {"demo/a.py": "ran", "demo/b.py": "hit"}


def test_snippets_run_in_parallel(project):
    """With two workers, two snippets that wait for each other both finish (they overlap)."""
    barrier = project.root / "barrier"
    barrier.mkdir()
    body = (
        "import os, pathlib, time\n"
        "d = pathlib.Path({d!r})\n"
        "(d / {me!r}).touch()\n"
        "deadline = time.monotonic() + 30\n"
        "while not (d / {other!r}).exists():\n"
        "    assert time.monotonic() < deadline, 'the other snippet never started'\n"
        "    time.sleep(0.01)\n"
    )
    write(project, "demo/a.py", body.format(d=str(barrier), me="a", other="b"))
    write(project, "demo/b.py", body.format(d=str(barrier), me="b", other="a"))
    outcomes = run_all(project, ["demo/a.py", "demo/b.py"], jobs=2)
    assert all(o.status == "ran" for o in outcomes.values())


def test_snippet_environment(project):
    """Snippets run from the project root, with the Agg backend and a publish folder."""
    write(
        project,
        "demo/env.py",
        "import os\n"
        "print(os.getcwd())\n"
        "print(os.environ['MPLBACKEND'], os.environ['PYTHONHASHSEED'])\n"
        "print(bool(os.environ.get('DLM_PUBLISH_DIR')))\n",
    )
    out = run_all(project, ["demo/env.py"])["demo/env.py"].entry.result["stdout"].splitlines()
    assert out == [str(project.root), "Agg 0", "True"]


# -- failures --------------------------------------------------------------------------------


def test_exception_names_snippet_line_and_exception(project):
    """A snippet that raises fails with its path, the line and the exception; nothing is cached."""
    write(project, "demo/bad.py", "x = 1\n\nassert x == 2, 'x should be 2'\n")
    outcome = run_all(project, ["demo/bad.py"])["demo/bad.py"]
    assert outcome.status == "failed" and outcome.entry is None
    assert outcome.failure.line == 3
    assert str(outcome.failure) == "snippets/demo/bad.py, line 3: AssertionError: x should be 2"
    assert "Traceback" in outcome.failure.details
    assert cache_mod.Cache(project.cache_dir).lookup(outcome.key) is None


def test_exception_inside_a_library_names_the_snippet_line(project):
    """When the error is raised in imported code, the line is the snippet's call site."""
    (project.root / "lib" / "helper.py").write_text("def boom():\n    raise ValueError('deep')\n")
    write(
        project,
        "demo/deep.py",
        "import sys\nsys.path.insert(0, 'lib')\nimport helper\nhelper.boom()\n",
    )
    outcome = run_all(project, ["demo/deep.py"])["demo/deep.py"]
    assert outcome.failure.line == 4
    assert outcome.failure.summary == "ValueError: deep"


def test_nonzero_exit_without_traceback(project):
    """``sys.exit(3)`` fails with the exit status."""
    write(project, "demo/exit.py", "import sys\nsys.exit(3)\n")
    outcome = run_all(project, ["demo/exit.py"])["demo/exit.py"]
    assert str(outcome.failure) == "snippets/demo/exit.py: exited with status 3"


def test_timeout(project):
    """A snippet that runs past its timeout is killed and fails with a hint on how to ask for
    more time."""
    write(project, "demo/slow.py", "import time\ntime.sleep(60)\n")
    outcome = run_all(project, ["demo/slow.py"], timeout=0.5)["demo/slow.py"]
    assert outcome.status == "failed"
    assert "timed out after 0.5 s" in str(outcome.failure)
    assert "dlm-snippet: timeout=SECONDS" in str(outcome.failure)


def test_snippet_may_ask_for_a_longer_timeout(project):
    """``# dlm-snippet: timeout=30`` overrides the default timeout for that snippet."""
    write(project, "demo/patient.py", "# dlm-snippet: timeout=30\nimport time\ntime.sleep(1)\n")
    assert run_all(project, ["demo/patient.py"], timeout=0.2)["demo/patient.py"].status == "ran"


def test_missing_snippet_file(project):
    """A snippet file that does not exist is a clear failure, not an empty result."""
    outcome = run_all(project, ["demo/nope.py"])["demo/nope.py"]
    assert outcome.status == "missing"
    assert str(outcome.failure) == "snippets/demo/nope.py: the snippet file does not exist"


def test_a_failure_after_success_shows_no_stale_result(project):
    """Once a cached snippet is edited to fail, the runner reports the failure, never the old
    result."""
    write(project, "demo/a.py", "from dlm_site import publish\npublish.value('x', 1)\n")
    assert run_all(project, ["demo/a.py"])["demo/a.py"].ok
    write(project, "demo/a.py", "raise RuntimeError('now broken')\n")
    outcome = run_all(project, ["demo/a.py"])["demo/a.py"]
    assert not outcome.ok and outcome.published == {}


def test_parse_traceback_of_chained_exceptions(tmp_path):
    """With chained exceptions, the last traceback's exception and snippet line are reported."""
    snippet = tmp_path / "s.py"
    stderr = (
        "Traceback (most recent call last):\n"
        f'  File "{snippet}", line 2, in <module>\n'
        "    int('x')\n"
        "ValueError: invalid literal\n"
        "\nDuring handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n"
        f'  File "{snippet}", line 4, in <module>\n'
        "    raise KeyError('k')\n"
        "KeyError: 'k'\n"
    )
    assert parse_traceback(stderr, snippet) == (4, "KeyError: 'k'")
    assert parse_traceback("no traceback here", snippet) == (None, "")


# -- atomic entries and pruning -------------------------------------------------------------


def test_half_written_entry_is_never_served(project):
    """A folder under a key without ``result.json`` (an interrupted write) is not an entry."""
    write(project, "demo/a.py", "print('fresh')\n")
    key = key_of(project, "demo/a.py")
    (project.cache_dir / key).mkdir(parents=True)
    (project.cache_dir / key / "figure.svg").write_text("<svg/>")
    outcome = run_all(project, ["demo/a.py"])["demo/a.py"]
    assert outcome.status == "ran" and outcome.entry.result["stdout"] == "fresh\n"


def test_interrupted_run_leaves_no_entry(project):
    """A run killed midway (here: a timeout) leaves neither an entry nor its work folder."""
    write(project, "demo/slow.py", "import time\ntime.sleep(60)\n")
    outcome = run_all(project, ["demo/slow.py"], timeout=0.5)["demo/slow.py"]
    assert not (project.cache_dir / outcome.key).exists()
    assert list((project.cache_dir / "tmp").iterdir()) == []


def test_commit_is_atomic_and_keeps_the_first_entry(tmp_path):
    """Committing a key twice keeps the first entry whole and drops the second work folder."""
    store = cache_mod.Cache(tmp_path)
    first = store.new_workdir("k")
    (first / "f.svg").write_text("one")
    store.commit("k", first, {"n": 1})
    second = store.new_workdir("k")
    (second / "f.svg").write_text("two")
    entry = store.commit("k", second, {"n": 2})
    assert entry.result == {"n": 1} and (entry.path / "f.svg").read_text() == "one"
    assert not second.exists()
    assert json.loads((tmp_path / "k" / "result.json").read_text()) == {"n": 1}


def age(store: cache_mod.Cache, key: str, seconds: float = 2 * cache_mod.PRUNE_AFTER) -> None:
    """Make an entry look unused for ``seconds``."""
    then = time.time() - seconds
    os.utime(store.folder / key / cache_mod.RESULT, (then, then))


def test_prune_removes_unused_entries(tmp_path):
    """``prune`` deletes old entries not in ``keep`` and old work folders, and keeps the rest."""
    store = cache_mod.Cache(tmp_path)
    for key in ("used", "unused", "used-old"):
        store.commit(key, store.new_workdir(key), {})
    age(store, "unused")
    age(store, "used-old")
    old_work = store.new_workdir("crashed")
    os.utime(old_work, (0, 0))
    fresh_work = store.new_workdir("running")
    assert store.prune({"used", "used-old"}) == ["unused"]
    assert store.lookup("used") is not None and store.lookup("used-old") is not None
    assert store.lookup("unused") is None
    assert not old_work.exists() and fresh_work.exists()


def test_a_lookup_protects_an_entry_from_other_builds_pruning(tmp_path):
    """Build A finds an old entry (a hit touches it); build B, which does not use it, prunes
    right after: the entry and its files stay, so A can still copy them."""
    store = cache_mod.Cache(tmp_path)
    for key in ("a", "b"):
        work = store.new_workdir(key)
        (work / "f.svg").write_text("<svg/>")
        store.commit(key, work, {})
        age(store, key)
    entry_a = cache_mod.Cache(tmp_path).lookup("a")  # build A: a cache hit
    assert cache_mod.Cache(tmp_path).prune({"b"}) == []  # build B prunes at its end
    assert (entry_a.path / "f.svg").read_text() == "<svg/>"
    # Once nobody has used it for PRUNE_AFTER seconds, it goes.
    later = time.time() + 2 * cache_mod.PRUNE_AFTER
    assert cache_mod.Cache(tmp_path).prune({"b"}, now=later) == ["a"]


def test_prune_puts_back_an_entry_touched_during_pruning(tmp_path, monkeypatch):
    """If another build looks an entry up between prune's age check and its removal, the entry
    is put back whole (simulated: the age check sees an old time, the entry is fresh)."""
    store = cache_mod.Cache(tmp_path)
    work = store.new_workdir("k")
    (work / "f.svg").write_text("<svg/>")
    store.commit("k", work, {"n": 1})
    monkeypatch.setattr(store, "last_used", lambda key: 0.0)
    assert store.prune(set()) == []
    assert store.lookup("k").result == {"n": 1} and (tmp_path / "k" / "f.svg").exists()


def test_overlapping_builds_sharing_a_cache(project):
    """Build A runs its snippet; build B (other snippets, same cache) runs and prunes; A's
    figure files are still there when A copies them into its site."""
    plot = (
        "import matplotlib.pyplot as plt\nfrom dlm_site import publish\n"
        "fig, ax = plt.subplots()\nax.plot([0, 1])\n"
        "publish.figure('f', fig, alt='A line.', caption='A line.')\n"
    )
    write(project, "demo/a.py", plot)
    write(project, "demo/b.py", plot)
    first = run_all(project, ["demo/a.py"])["demo/a.py"]  # A, earlier: a run, then ...
    age(cache_mod.Cache(project.cache_dir), first.key)  # ... long unused
    a = run_all(project, ["demo/a.py"])["demo/a.py"]  # A's on_files: a hit
    assert a.status == "hit"
    b = run_all(project, ["demo/b.py"])["demo/b.py"]  # B's whole build, with its prune
    cache_mod.Cache(project.cache_dir).prune({b.key})
    for name in ("f.svg", "f-dark.svg"):  # A's on_post_build copies the figures
        assert a.entry.file(name).read_bytes().startswith(b"<?xml")


def test_a_forced_run_replaces_the_entry(project):
    """``force`` replaces an existing entry by the new result, leaving no work folder."""
    write(project, "demo/a.py", "print('x')\n")
    first = run_all(project, ["demo/a.py"])["demo/a.py"]
    again = run_all(project, ["demo/a.py"], force=True)["demo/a.py"]
    assert again.status == "ran" and again.key == first.key
    assert again.entry.result["stdout"] == "x\n"
    assert [p for p in (project.cache_dir / "tmp").iterdir()] == []


def test_find_snippets_skips_helpers(project):
    """Snippets are the ``.py`` files not named ``_*``."""
    write(project, "demo/a.py", "")
    write(project, "_shared.py", "")
    write(project, "demo/data.csv", "")
    assert runner.find_snippets(project.snippets_dir) == ["demo/a.py"]


def test_kill_all_stops_running_snippets(project):
    """``kill_all`` (what Ctrl-C triggers) kills running snippets at once; nothing is cached."""
    import threading
    import time

    write(project, "demo/slow.py", "import time\ntime.sleep(60)\n")
    outcomes = {}
    thread = threading.Thread(target=lambda: outcomes.update(run_all(project, ["demo/slow.py"])))
    thread.start()
    deadline = time.monotonic() + 30
    while not runner._live and time.monotonic() < deadline:
        time.sleep(0.01)
    runner.kill_all()
    thread.join(30)
    outcome = outcomes["demo/slow.py"]
    assert outcome.status == "failed" and "killed by signal 9" in str(outcome.failure)
    assert not (project.cache_dir / outcome.key).exists()

"""How much disk the data directory takes and freeing it: the sidebar's line, delete --all/--before, clean --caches.

A server left running for a term filled gigabytes with nothing that said so, and cleanup was one batch at a time."""

from __future__ import annotations

import io
import time

import pytest
from test_app_pages import app_on, no_problems  # the app with its sidebar (tests/ is on sys.path)

from bertlab import diskuse
from bertlab.cli import main
from bertlab.runner import execute_run
from bertlab.store import QUEUED, SUCCEEDED, RunStore
from bertlab.strategies import make_config


@pytest.fixture
def three(tiny_data, bertlab_home):
    """Two ended tfidf_logreg runs (one made a day earlier) and one still queued."""
    store = RunStore(bertlab_home)
    old, new = (store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=s)) for s in (1, 2))
    assert execute_run(store, old) == SUCCEEDED and execute_run(store, new) == SUCCEEDED
    store.update(old, finished=time.time() - 86_400 * 3, created=time.time() - 86_400 * 3)
    waiting = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=3))
    return store, old, new, waiting


def test_the_sizes_line_counts_runs_caches_and_uploads(three, bertlab_home):
    store = three[0]
    (bertlab_home / "cache" / "embeddings").mkdir(parents=True)
    (bertlab_home / "cache" / "embeddings" / "x.safetensors").write_bytes(b"0" * 89_000_000)
    (bertlab_home / "uploads").mkdir()
    (bertlab_home / "uploads" / "a.csv").write_bytes(b"0" * 88_000)
    use = diskuse.measure(store)
    assert use.runs == 3 and use.runs_bytes == sum(store.disk_bytes(r.id) for r in store.list_runs())
    assert use.line().endswith(" (3) · caches 84.9 MiB · uploads 85.9 KiB")  # the units the pages use


def test_the_sizes_are_measured_in_the_background_and_kept_a_while(three, monkeypatch):
    store = three[0]
    calls = []
    real = diskuse.measure
    monkeypatch.setattr(diskuse, "measure", lambda s: calls.append(1) or real(s))
    monkeypatch.setattr(diskuse, "_CACHED", {})
    first = diskuse.cached(store)
    for _ in range(200):
        if diskuse.cached(store) is not None:
            break
        time.sleep(0.02)
    assert first is None and diskuse.cached(store).runs == 3  # the page went on at once, the line came next
    assert diskuse.cached(store) is not None and len(calls) == 1  # kept for a minute, not walked again


def test_a_measurement_that_fails_is_waited_for_once_and_tried_again_a_while_later(three, monkeypatch):
    """A data directory that could not be walked (each render's measurement failed) made every render of every page
    start another walk and wait up to 0.5 s for it: the wait is for the very first walk only."""
    import threading

    store = three[0]
    calls, release, joined = [], threading.Event(), []

    def failing(s):
        calls.append(1)
        if len(calls) > 1:
            release.wait(10)  # the retry: the caller must not be waiting for it
        raise OSError("permission denied")

    monkeypatch.setattr(diskuse, "measure", failing)
    monkeypatch.setattr(diskuse, "_CACHED", {})
    real_join = threading.Thread.join
    monkeypatch.setattr(threading.Thread, "join", lambda t, timeout=None: joined.append(t.name) or real_join(t, timeout))
    assert diskuse.cached(store, wait=5) is None and calls == [1] and joined == ["bertlab-disk-use"]  # waited: first
    for _ in range(5):
        assert diskuse.cached(store, wait=5) is None
    assert calls == [1] and len(joined) == 1  # no new walk, no wait, within max_age
    assert diskuse.cached(store, max_age=0, wait=5) is None  # a minute later: tried again in the background...
    for _ in range(500):
        if len(calls) == 2:
            break
        time.sleep(0.01)
    assert len(calls) == 2 and len(joined) == 1  # ...not waited for (it is still running)
    release.set()


def test_the_sidebar_shows_the_sizes_under_the_data_directory(three):
    diskuse._CACHED.clear()
    at = app_on()  # its first render waits a moment for the first measurement: an idle page never renders again
    no_problems(at)
    line = next(c for c in at.sidebar.caption if c.value.startswith("Runs "))
    assert "(3) · caches" in line.value and "clean --caches" in line.help


def test_the_sidebars_line_is_measured_again_when_a_run_ends_not_a_minute_later(three, tiny_data):
    """The line read "Runs 6.3 KiB (2)" on Compare's first render after two runs had finished (837.9 KiB): it was
    measured while they trained and kept for a minute. A run that ends (or is launched, or deleted) now has it
    measured again on the next render, waited for as the first; a render with nothing changed walks nothing."""
    store, _, _, waiting = three
    store.request_cancel(waiting)  # not trained by the app's worker meanwhile: only the run below changes
    training = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4))
    assert store.claim(training, "cpu")
    diskuse._CACHED.clear()
    at = app_on()
    no_problems(at)
    before = next(c.value for c in at.sidebar.caption if c.value.startswith("Runs "))
    store.artifact_path(training).mkdir(parents=True, exist_ok=True)
    (store.artifact_path(training) / "model.safetensors").write_bytes(b"0" * 3_000_000)  # its model, written
    store.finish(training, SUCCEEDED)
    at.run()
    no_problems(at)
    after = next(c.value for c in at.sidebar.caption if c.value.startswith("Runs "))
    assert after == diskuse.measure(store).line() != before, (before, after)
    walks = []
    real = diskuse.measure
    diskuse.measure = lambda s: walks.append(1) or real(s)
    try:
        at.run()
    finally:
        diskuse.measure = real
    assert not walks  # nothing changed: the line kept, not walked again


def test_delete_all_and_before_take_ended_runs_only_and_ask_first(three, monkeypatch, capsys):
    store, old, new, waiting = three
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: refused without --yes
    assert main(["delete", "--all"]) == 2 and "add --yes" in capsys.readouterr().err
    assert all(store.get(i) for i in (old, new, waiting))
    assert main(["delete", "--before", "someday"]) == 2 and "YYYY-MM-DD" in capsys.readouterr().err
    tty = io.StringIO("n\n")
    tty.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", tty)
    assert main(["delete", "--all"]) == 0 and "nothing deleted" in capsys.readouterr().err
    assert store.get(old) and store.get(new)
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86_400))
    assert main(["delete", "--before", day, "--yes"]) == 0
    assert store.get(old) is None and store.get(new) is not None
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert main(["delete", "--all"]) == 0 and "deleted 1 run" in capsys.readouterr().err
    assert store.get(new) is None and store.get(waiting).status == QUEUED  # a queued run stays


def test_delete_says_what_it_freed_in_a_unit_that_shows_it(three, capsys):
    """A tfidf_logreg run's few hundred KiB read "0.3 MiB freed", and a run whose files were already gone "0.0 MiB
    freed", as if something had been."""
    import shutil

    from bertlab.paths import format_bytes

    store, old, new, _ = three
    size = store.disk_bytes(old)
    assert 0 < size < 2**20
    assert main(["delete", old]) == 0
    assert f"deleted 1 run ({format_bytes(size)} freed)" in capsys.readouterr().err
    assert "KiB" in format_bytes(size)
    shutil.rmtree(store.artifact_path(new))
    assert main(["delete", new]) == 0
    assert "deleted 1 run (nothing on disk to free)" in capsys.readouterr().err


def test_clean_caches_frees_the_caches_only(three, bertlab_home, capsys):
    from bertlab.speedprobe import PROBE_FILE

    store, _, new, waiting = three
    cache = bertlab_home / "cache"
    for name in ("embeddings", "onnx"):
        (cache / name).mkdir(parents=True)
        (cache / name / "blob").write_bytes(b"0" * 2_000_000)
    (cache / PROBE_FILE).write_text("{}")  # the device's measured speed, kept (the test wrote "speed.json", no file of bertlab's)
    (bertlab_home / "uploads").mkdir()
    (bertlab_home / "uploads" / "a.csv").write_text("text,label\n")
    assert main(["clean", "--caches"]) == 2 and "queued or running" in capsys.readouterr().err  # may be in use
    store.delete(waiting)
    assert main(["clean", "--caches"]) == 0 and "3.8 MiB freed" in capsys.readouterr().err
    assert not (cache / "embeddings").exists() and not (cache / "onnx").exists()
    assert (cache / PROBE_FILE).exists() and (bertlab_home / "uploads" / "a.csv").exists()
    assert store.get(new) is not None and store.artifact_path(new).is_dir()
    assert main(["clean"]) == 2


def test_a_run_whose_process_died_neither_blocks_clean_nor_escapes_delete_all(three, tiny_data, monkeypatch, capsys):
    """A diff review: after a CLI run was killed (kill -9), its run stayed 'running' in the store, so clean --caches
    refused ('cancel them: `python -m bertlab cancel`', a command that itself fails without run ids) and delete --all
    left it out, until something else (`runs`, a server start) marked it interrupted. Both now mark such runs first;
    the refusal names a cancel that works; Ctrl-D at delete's question is a no, not a traceback."""
    import socket

    store, _, _, waiting = three
    dead = f"{socket.gethostname()}:999999999:1"  # the killed CLI
    store.claim(waiting, "cpu")
    store.update(waiting, owner=dead)
    live = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=4), batch_id="b-live")
    assert main(["clean", "--caches"]) == 2
    err = capsys.readouterr().err
    assert "1 run is queued or running" in err and "`python -m bertlab cancel --batch b-live`" in err
    store.delete(live)
    assert main(["clean", "--caches"]) == 0, capsys.readouterr().err  # the dead run is no longer running
    tty = io.StringIO("")
    tty.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", tty)

    def eof(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", eof)
    assert main(["delete", "--all"]) == 0 and "nothing deleted" in capsys.readouterr().err
    assert main(["delete", "--all", "--yes"]) == 0 and "deleted 3 runs" in capsys.readouterr().err
    assert store.get(waiting) is None  # the dead run went with the ended ones


def test_clean_and_delete_all_leave_a_run_of_a_live_process_elsewhere_running(three, tiny_data, capsys):
    """A second diff review: marking 'every running run whose owner is not a known live process here' (as a server
    start does for its own) took a run owned by a process on another host sharing the folder for dead: delete --all
    then deleted it while it trained. Only owners known dead on this host are marked now; and the refusal names every
    batch in the way, joined by 'and' (cancelling one of two left clean refused)."""
    store, _, _, waiting = three
    store.claim(waiting, "cpu")
    store.update(waiting, owner="labserver:4242:1")  # alive, for all this host knows
    other = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=5), batch_id="b-two")
    assert main(["delete", "--all", "--yes"]) == 0 and "deleted 2 runs" in capsys.readouterr().err
    assert store.get(waiting).status == "running"
    assert main(["clean", "--caches"]) == 2
    err = capsys.readouterr().err
    assert "2 runs are queued or running" in err and " and `python -m bertlab cancel --batch b-two`" in err
    assert store.get(other) is not None


def test_before_goes_by_when_a_run_ended_not_when_it_was_made(three):
    """A run made three days ago that ended today did not end before yesterday: --before keeps it."""
    store, old, new, _ = three
    store.update(new, created=time.time() - 86_400 * 3)  # made three days ago, finished just now
    assert diskuse.ended_runs(store, time.time() - 86_400) == [old]


def test_delete_counts_as_freed_only_the_runs_it_deleted(three, capsys):
    """A queued run named beside an ended one stays: the bytes it holds were not freed."""
    from bertlab import paths

    store, old, new, waiting = three
    store.artifact_path(waiting).mkdir(parents=True, exist_ok=True)
    (store.artifact_path(waiting) / "padding.bin").write_bytes(b"x" * 2_000_000)  # a queued run holding 1.9 MiB
    freed = store.disk_bytes(new)
    assert main(["delete", new, waiting]) == 1
    out, err = capsys.readouterr()  # a message, on stderr: stdout stays data (nothing here)
    assert out == "" and err.splitlines()[0] == f"deleted 1 run ({paths.freed_words(freed)})"
    assert store.get(new) is None and store.get(waiting) is not None


def test_clean_counts_as_freed_only_what_it_could_remove(three, bertlab_home, monkeypatch):
    store = three[0]
    (store.root / "cache" / "onnx").mkdir(parents=True, exist_ok=True)
    (store.root / "cache" / "onnx" / "model.onnx").write_bytes(b"x" * 1000)
    monkeypatch.setattr(diskuse.shutil, "rmtree", lambda path, ignore_errors=False: None)  # nothing could go
    assert diskuse.clean_caches(store.root) == 0


def test_the_runs_mark_changes_when_a_run_is_launched_fails_or_is_deleted(three, tiny_data):
    """Mutation round 7: the mark the sidebar's line is measured again for counts runs of every status, not the
    finished ones alone: a failed run's files (or a deleted failed run's, freed) changed the disk the line says and
    the line waited up to a minute for it."""
    from bertlab.store import FAILED

    store, _, _, _ = three
    marks = [diskuse.runs_mark(store)]
    failing = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=5))  # launched
    marks.append(diskuse.runs_mark(store))
    assert store.claim(failing, "cpu")
    store.finish(failing, FAILED, error="out of memory")  # ended, but not well
    marks.append(diskuse.runs_mark(store))
    store.delete(failing)
    marks.append(diskuse.runs_mark(store))
    assert len(set(marks[:3])) == 3 and marks[3] != marks[2], marks

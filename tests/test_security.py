"""Security: no unpickling or remote code, no path escapes, no user text rendered as HTML.

The code checks read the repository's Python with ``ast`` (so comments and
docstrings that *mention* pickle do not count) and fail on any call that
could execute what a user or a model repository supplied.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pandas as pd
import pytest

from bertlab.config import DataConfig, RunConfig
from bertlab.data import load_splits, save_upload
from bertlab.errors import BertlabError, ConfigError, DataError
from bertlab.jobs import JobManager
from bertlab.paths import check_id, safe_join
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import SUCCEEDED, RunStore
from bertlab.strategies import make_config

REPO = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", "venv", ".git", "node_modules", "__pycache__", "bertlab-data", "build", "dist"}


def repo_python() -> list[Path]:
    files = [p for p in REPO.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(REPO).parts)]
    return [p for p in files if p.name != Path(__file__).name]


def dotted(node: ast.AST) -> str:
    """'torch.load' for the call target torch.load, '' when it is not a plain dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


BANNED_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}
BANNED_CALLS = {"torch.load", "pd.read_pickle", "pandas.read_pickle", "read_pickle", "yaml.load", "eval", "exec",
                "os.system", "torch.jit.load", "np.fromfile"}


def findings(path: Path, root: Path = REPO) -> list[str]:
    """Every unsafe construct in one file, as 'file:line: what'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    rel = path.relative_to(root)
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            bad = {n.split(".")[0] for n in names if n} & BANNED_MODULES
            if bad:
                out.append(f"{where}: imports {sorted(bad)}")
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            if name in BANNED_CALLS or name.endswith(".read_pickle"):
                out.append(f"{where}: calls {name}()")
            for kw in node.keywords:
                val = kw.value.value if isinstance(kw.value, ast.Constant) else "<expr>"
                if kw.arg == "trust_remote_code" and val is not False:
                    out.append(f"{where}: trust_remote_code={val}")
                if kw.arg in ("use_safetensors", "safe_serialization") and val is not True:
                    out.append(f"{where}: {kw.arg}={val}")
                if kw.arg == "allow_pickle" and val is not False:
                    out.append(f"{where}: allow_pickle={val}")
                if kw.arg == "weights_only" and val is not True:
                    out.append(f"{where}: weights_only={val}")
                if kw.arg == "shell" and val is not False:
                    out.append(f"{where}: shell={val}")
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == "trust_remote_code" and not (
                        isinstance(v, ast.Constant) and v.value is False):
                    out.append(f"{where}: trust_remote_code set to something other than False")
    return out


def test_the_scan_sees_the_code_it_must_check():
    files = {str(p.relative_to(REPO)) for p in repo_python()}
    assert {"bertlab/models.py", "bertlab/predict.py", "bertlab/data/files.py", "bertlab/store.py"} <= files
    assert (REPO / "app.py").exists() and "app.py" in files


def test_the_scan_catches_what_it_bans(tmp_path):
    """The checker itself must fire on each construct (else a green run proves nothing)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport torch\nfrom joblib import load\n"
        "torch.load('user.bin')\n"
        "AutoModel.from_pretrained('x', trust_remote_code=True)\n"
        "AutoModel.from_pretrained('x', use_safetensors=False)\n"
        "np.load('x.npy', allow_pickle=True)\n"
        "kw = {'trust_remote_code': True}\n"
        "eval(user_text)\n"
    )
    assert len(findings(bad, tmp_path)) == 8, findings(bad, tmp_path)


def test_no_pickle_no_torch_load_no_remote_code_anywhere():
    problems = [f for p in repo_python() for f in findings(p)]
    assert not problems, "unsafe constructs:\n" + "\n".join(problems)


def test_every_from_pretrained_in_the_library_turns_remote_code_off():
    """transformers' default is already off; the library says so explicitly, so a default change cannot bite."""
    missing = []
    for path in (REPO / "bertlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and dotted(node.func).endswith(".from_pretrained"):
                explicit = any(kw.arg == "trust_remote_code" for kw in node.keywords)
                via_helper = any(kw.arg is None and "hub_kwargs" in ast.unparse(kw.value) for kw in node.keywords)
                if not (explicit or via_helper):
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not missing, missing


# ---------------------------------------------------------------------------------------------
# Path traversal
# ---------------------------------------------------------------------------------------------
TRAVERSAL = ["../../etc/passwd", "..", ".", "", "/etc/passwd", "runs/../../x", "a/b", "..\\..\\windows",
             "x\x00y", "-rf", ".hidden", "~root", "%2e%2e%2fetc", "a" * 200, "C:\\Windows\\system32", " padded"]


@pytest.mark.parametrize("bad", TRAVERSAL, ids=range(len(TRAVERSAL)))
def test_run_id_that_could_escape_is_refused(bad):
    with pytest.raises(BertlabError) as e:
        check_id(bad, "run id")
    assert str(e.value) == (f"run id {bad!r} is not a valid identifier: use letters, digits, '-', '_' or '.' "
                            "only.")
    store = RunStore()
    with pytest.raises(BertlabError):
        store.artifact_path(bad)
    with pytest.raises(BertlabError):
        store.staging_path(bad)
    assert store.get(bad) is None
    assert store.request_cancel(bad) is None


def test_a_tampered_run_id_in_the_database_never_touches_files_outside(tmp_path):
    home = tmp_path / "home"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    store = RunStore(home)
    rid = store.create_run(make_config("zero_shot"))
    with store._tx() as c:  # someone edits the SQLite file by hand
        c.execute("UPDATE runs SET id=?, status=?, artifact_dir=? WHERE id=?",
                  ("../victim", SUCCEEDED, str(victim), rid))
    with pytest.raises(BertlabError, match="is not a valid identifier"):
        Predictor(store).predict(["../victim"], ["hello"])
    with pytest.raises(BertlabError, match="is not a valid identifier"):
        store.delete("../victim")
    assert (victim / "precious.txt").read_text() == "keep me"
    jm = JobManager(store, resume=False)
    try:
        assert jm.cancel("../victim") == SUCCEEDED  # looked up by value, never used as a path
    finally:
        jm.shutdown()
    assert (victim / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("parts", [("../../etc/passwd",), ("runs", "..", "..", "x"), ("/etc/passwd",),
                                   ("runs", "/abs")])
def test_safe_join_refuses_paths_outside_the_root(parts, tmp_path):
    root = tmp_path / "home"
    root.mkdir()
    with pytest.raises(BertlabError) as e:
        safe_join(root, *parts)
    assert str(e.value) == f"path {'/'.join(parts)!r} points outside {root.resolve()}; refusing to use it."


def test_safe_join_refuses_a_symlink_that_leads_outside(tmp_path):
    root = tmp_path / "home"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(BertlabError, match="points outside"):
        safe_join(root, "link", "secret.txt")
    assert safe_join(root, "runs", "abc") == root.resolve() / "runs" / "abc"


UPLOAD_NAMES = [
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..\\..\\Windows\\evil.csv", "evil.csv"),
    ("/etc/cron.d/job.csv", "job.csv"),
    (".bashrc.csv", "bashrc.csv"),
    ("<script>alert(1)</script>.csv", "script_.csv"),
    ("rés umé;rm -rf ~.tsv", "rés_umé_rm_-rf__.tsv"),
    ("отзывы.csv", "отзывы.csv"),  # letters of any script stay: two such files remain two names
    ("e\u0301te\u0301.csv", "été.csv"),  # composed (NFC), as typed on another system
    ("invoice\u202egnp.csv", "invoice_gnp.csv"),  # a right-to-left override cannot disguise the type
    ("电影评论数据集" * 13 + ".csv", ("电影评论数据集" * 13)[-65:] + ".csv"),  # cut to 200 bytes: 255 is the limit
    ("x\x00y.jsonl", "x_y.jsonl"),
]


@pytest.mark.parametrize("name,stored", UPLOAD_NAMES, ids=range(len(UPLOAD_NAMES)))
def test_upload_names_never_leave_the_uploads_dir(name, stored, bertlab_home, tmp_path):
    raw = b"text,label\n" + b"".join(b"text %d,%s\n" % (i, b"ab"[i % 2:i % 2 + 1]) for i in range(12))
    before = {p for p in tmp_path.rglob("*") if bertlab_home not in p.parents}
    path = save_upload(raw, name)
    assert path.parent == (bertlab_home / "uploads").resolve()
    assert path.name.endswith("-" + stored) and path.read_bytes() == raw
    after = {p for p in tmp_path.rglob("*") if bertlab_home not in p.parents and p != bertlab_home}
    assert after - before <= {bertlab_home}  # nothing new outside the data directory


def test_uploads_are_private_files(bertlab_home):
    path = save_upload(b"text,label\na,x\nb,y\n", "mine.csv")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert save_upload(b"text,label\na,x\nb,y\n", "mine.csv") == path  # same bytes: same file, no copy


def test_app_binds_to_localhost_and_caps_uploads_like_the_library():
    import tomllib

    from bertlab.data.files import MAX_FILE_BYTES

    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["address"] in ("localhost", "127.0.0.1")
    assert cfg["server"]["maxUploadSize"] * 2**20 == MAX_FILE_BYTES
    assert cfg["browser"]["gatherUsageStats"] is False


def test_upload_without_a_supported_type_is_refused():
    with pytest.raises(DataError) as e:
        save_upload(b"root:x:0:0:root:/root:/bin/bash\n", "../../etc/passwd")
    assert str(e.value) == ("passwd: unsupported file type '(none)'; use one of .csv, .tsv, .txt, .jsonl, .ndjson, "
                            ".json, .parquet, .pq, .xlsx.")


@pytest.mark.parametrize("source", ["builtin", "hub"])
def test_dataset_name_with_a_path_is_not_read_from_disk(source):
    if source == "builtin":
        with pytest.raises(DataError) as e:
            load_splits(DataConfig(source="builtin", name="../../etc/passwd"))
        assert str(e.value).startswith("unknown built-in dataset '../../etc/passwd'; choose one of [")
    else:  # datasets.load_dataset() would read a local path: refuse it before it gets there
        with pytest.raises(ConfigError) as e:
            DataConfig(source="hub", name="../../etc/passwd")
        assert str(e.value) == ("hub dataset name '../../etc/passwd' is not a hub id like 'imdb' or "
                                "'user/dataset'; to use a file on this machine, upload it on the Data page (on the command "
                                "line: --dataset PATH).")


# ---------------------------------------------------------------------------------------------
# User text is never rendered as HTML
# ---------------------------------------------------------------------------------------------
SCRIPT = "<script>alert('label')</script>"
IMG = "<img src=x onerror=alert(1)>"
APP_FILES = [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py")), *sorted((REPO / "pages").glob("*.py"))]
# Expressions allowed inside HTML the app writes itself: colours, registry metadata and run-id tails.
# Strategy names are checked against a pattern by RunConfig, run ids by check_id.
SAFE_IN_HTML = {"color", "swatch", "run.strategy", "run.id[-4:]", "labels[p.run_id]", "s.title", "s.trains", "s.frozen"}
# bertlab.explain's builders escape the user's words themselves (tests/test_explain.py feeds them markup)
SAFE_IN_HTML |= {"explain.text_html(e, scale)", "explain.legend_html(scale)"}
# inference_box._shown is html.escape (element text: quotes need none) then Markdown-escaping
SAFE_IN_HTML |= {"_shown(labels[e.run_id])", "_shown(e.label)", "_shown(probability_percent(e.prob))"}
# app_pages.common's heading and lead builders escape their text (test_section_and_lead_builders_escape_markup)
SAFE_IN_HTML |= {"section_html(title)", "common.lead_html(c.intro, '1.25rem')"}
# the Playground cards' CSS: numbers only (the cards a row and the projector's type), no text of anyone's
SAFE_IN_HTML |= {"answer_css(len(cols))"}
# the confusion grid's CSS: a number (the screen width two matrices need)
SAFE_IN_HTML |= {"common.one_a_row_css(two_from)"}


def _html_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        unsafe = any(kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant)
                                                           and kw.value.value is False) for kw in node.keywords)
        if unsafe or dotted(node.func).endswith((".html", "components.html")) or dotted(node.func) == "html":
            yield node


def _interpolated(node: ast.AST) -> list[str]:
    """Non-constant parts of the text arguments, as source; html.escape(...) counts as safe."""
    out = []
    for arg in getattr(node, "args", []):
        for sub in ast.walk(arg):
            if isinstance(sub, ast.FormattedValue):
                out.append(ast.unparse(sub.value))
        if isinstance(arg, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)):
            out.append(ast.unparse(arg))
    return [e for e in out if not e.startswith(("html.escape(", "escape("))]


def unsafe_html(source: str) -> list[str]:
    """Expressions that reach HTML the page does not escape, other than the allowed ones."""
    return [f"line {call.lineno}: {expr}" for call in _html_calls(ast.parse(source))
            for expr in _interpolated(call) if expr not in SAFE_IN_HTML]


def test_the_html_check_catches_user_text():
    src = ("import html\nimport streamlit as st\n"
           "st.markdown(f'<b>{run.strategy}</b> {html.escape(name)}', unsafe_allow_html=True)\n"  # fine
           "st.markdown(f'<b>{label}</b>', unsafe_allow_html=True)\n"
           "st.html(body)\n"
           "st.caption(note, unsafe_allow_html=True)\n")
    assert unsafe_html(src) == ["line 4: label", "line 5: body", "line 6: note"]


def test_section_and_lead_builders_escape_markup():
    from app_pages.common import lead_html, section_html

    for built in (section_html(SCRIPT), section_html(IMG), lead_html(SCRIPT, "1rem"), lead_html(IMG, "1rem")):
        assert "<script" not in built and "<img" not in built and "&lt;" in built, built


def test_html_the_app_writes_holds_no_user_text():
    assert APP_FILES[0].exists()
    unsafe = [f"{p.relative_to(REPO)} {u}" for p in APP_FILES for u in unsafe_html(p.read_text(encoding="utf-8"))]
    assert not unsafe, "user-controlled values in unsafe HTML (escape them with html.escape):\n" + "\n".join(unsafe)


def test_strategy_names_cannot_carry_markup():
    with pytest.raises(ConfigError) as e:
        RunConfig(strategy=SCRIPT)
    assert str(e.value) == (f"strategy {SCRIPT!r} is not a strategy name; choose one of the registered "
                            "strategies (e.g. 'full_ft').")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def rendered(at) -> tuple[bool, list[str]]:
    """(whether a payload was shown at all, the HTML bodies that carry one unescaped)."""
    shown, bad = False, []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        text = str(proto)
        shown |= "onerror=alert(1)" in text or "alert(\\'label\\')" in text or "alert('label')" in text
        if getattr(proto, "allow_html", False) or node.type == "html":
            body = getattr(proto, "body", "")
            if "<script" in body or "onerror" in body:
                bad.append(body)
    return shown, bad


def test_the_render_check_catches_unescaped_html(tmp_path):
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "page.py"
    script.write_text("import streamlit as st\n"
                      f"st.markdown({SCRIPT!r})\n"  # escaped by Streamlit: fine
                      f"st.markdown('<b>' + {IMG!r} + '</b>', unsafe_allow_html=True)\n")
    at = AppTest.from_file(str(script)).run()
    shown, bad = rendered(at)
    assert shown and bad == [f"<b>{IMG}</b>"]


def test_script_label_names_render_as_text_in_the_app(tiny_model, tmp_path, bertlab_home):
    """Train on labels that are HTML payloads; every page that shows them must not mark them as HTML."""
    from streamlit.testing.v1 import AppTest

    data = tmp_path / "xss.csv"
    rows = [f"sample text number {i} {'good' if i % 2 else 'bad'}" for i in range(24)]
    pd.DataFrame({"text": rows, "label": [SCRIPT if i % 2 else IMG for i in range(len(rows))]}).to_csv(data, index=False)
    store = RunStore()
    cfg = make_config("zero_shot", model=tiny_model, max_length=16,
                      data=DataConfig(source="file", name=str(data), train_size=None, val_size=None, test_size=None))
    rid = store.create_run(cfg)
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    assert set(store.get(rid).metrics["label_names"]) == {SCRIPT, IMG}

    sys.path.insert(0, str(REPO))
    shown_any = False
    for page in ("app_pages/compare.py", "app_pages/playground.py"):
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        shown, bad = rendered(at)
        assert not bad, (page, bad)
        shown_any |= shown
    # the same labels arriving as a fresh upload: data page (preview, class counts), then the train page
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    at.run()
    at.radio(key="keep_source").set_value("Upload a file").run()
    at.file_uploader[0].set_value(("xss.csv", data.read_bytes(), "text/csv")).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    shown, bad = rendered(at)
    assert shown and not bad, bad
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not rendered(at)[1]
    assert shown_any, "the payload labels never reached a page: the test would prove nothing"


def test_an_upload_that_cannot_be_written_says_so_and_leaves_nothing_behind(bertlab_home, monkeypatch):
    import errno

    from bertlab.data import files

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(DataError) as e:
        save_upload(b"text,label\na,x\nb,y\n", "mine.csv")
    assert str(e.value).startswith("could not keep mine.csv in ") and "No space left on device" in str(e.value)
    assert list((bertlab_home / "uploads").iterdir()) == []  # no half-written temporary file

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", denied)
    with pytest.raises(DataError, match="Check that the data directory can be written"):
        save_upload(b"text,label\na,x\nb,y\n", "mine.csv")

    # a read-only folder: the clean-up fails too, and that second error went up as a traceback (a review)
    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.os, "open", read_only)
    monkeypatch.setattr(files.Path, "unlink", read_only)
    with pytest.raises(DataError, match="Read-only file system. Check that the data directory can be written"):
        save_upload(b"text,label\na,x\nb,y\n", "mine.csv")


def test_a_currency_cannot_carry_markup_into_the_report():
    from bertlab.errors import ConfigError
    from bertlab.pareto import Prices

    for bad in ("<!--", "<b>", "a&b", '"', "EURO€"):
        with pytest.raises(ConfigError, match="currency must be"):
            Prices(currency=bad)
    assert Prices(currency="€").currency == "€" and Prices(currency="EUR").currency == "EUR"


def test_the_uploads_folder_has_a_total_limit(monkeypatch):
    """A security review: uploads had no total limit (every student's files kept for good). A new upload that would
    take the folder over BERTLAB_MAX_UPLOADS_MB (default 2 GB) is refused, saying how to free space."""
    monkeypatch.setenv("BERTLAB_MAX_UPLOADS_MB", "1")
    body = b"text,label\n" + b"some words,x\n" * 45_000  # ~0.56 MB
    kept = save_upload(body, "a.csv")
    assert save_upload(body, "a.csv") == kept  # the same file again takes no more room
    with pytest.raises(DataError, match=r"b\.csv cannot be kept: the uploads on this server take 0\.6 MB of their 1 "
                                        r"MB limit, and it is 0\.6 MB\..*free space.*BERTLAB_MAX_UPLOADS_MB"):
        save_upload(body + b"more words,y\n", "b.csv")
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]
    monkeypatch.setenv("BERTLAB_MAX_UPLOADS_MB", "2")
    assert save_upload(body + b"more words,y\n", "b.csv").is_file()
    monkeypatch.setenv("BERTLAB_MAX_UPLOADS_MB", "lots")
    with pytest.raises(DataError, match="BERTLAB_MAX_UPLOADS_MB must be a whole number"):
        save_upload(b"text,label\nc,x\n", "c.csv")


def test_an_allow_list_of_model_folders_refuses_every_other_folder_alike(tiny_model, tiny_csv, tmp_path, monkeypatch,
                                                                         capsys):
    """A security review: the Model field took any folder the server can read (a student trained head_only on the
    teacher's private saved model and downloaded its encoder in the export zip), and a missing path and a folder of
    another kind got different messages, telling which folders exist. With BERTLAB_MODEL_DIRS set, a local folder
    outside it is refused with one message whatever is there; the packaged default and hub names still pass."""
    import os
    import shutil

    from bertlab.cli import main
    from bertlab.errors import ModelError
    from bertlab.models import resolve

    allowed = tmp_path / "class-models"
    shutil.copytree(tiny_model, allowed / "tiny")
    (allowed / "escape").symlink_to(tiny_model)  # a link out of the allowed folder is outside it
    not_a_model = tmp_path / "private"
    not_a_model.mkdir()
    outside = [tiny_model, str(not_a_model), str(tmp_path / "no-such-folder"), str(tiny_csv), str(allowed / "escape")]
    resolve.cache_clear()
    try:
        assert resolve(tiny_model) == str(Path(tiny_model).resolve())  # unset: any folder, as before
        unset = set()
        for m in outside[1:3]:
            with pytest.raises(ModelError) as e:
                resolve(m)
            unset.add(str(e.value).replace(repr(m), "M"))
        assert len(unset) == 2  # ...and a folder of another kind and a missing one are told apart, as before
        resolve.cache_clear()
        monkeypatch.setenv("BERTLAB_MODEL_DIRS", os.pathsep.join([str(tmp_path / "elsewhere"), str(allowed)]))
        said = set()
        for m in outside:
            with pytest.raises(ModelError) as e:
                resolve(m)
            said.add(str(e.value).replace(repr(m), "M"))
        assert said == {"model M is neither in a model folder this server allows (BERTLAB_MODEL_DIRS) nor a Hugging "
                        "Face hub model it can reach; use 'minilm' (the packaged offline model), a hub name this "
                        "server can download, or a model saved in one of the folders whoever runs the server has "
                        "allowed."}
        assert resolve(str(allowed / "tiny")) == str((allowed / "tiny").resolve())
        assert Path(resolve("minilm")).is_dir()
        assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "--model", tiny_model]) == 2
        assert "is neither in a model folder this server allows" in capsys.readouterr().err
        assert RunStore().list_runs() == []
    finally:
        resolve.cache_clear()


def test_an_allow_list_of_model_folders_tells_no_relative_path_apart_from_a_missing_one(tiny_model, tmp_path,
                                                                                         monkeypatch):
    """A diff review: with BERTLAB_MODEL_DIRS set and the hub offline, an existing relative folder
    ('bertlab/strategies') was refused as 'not in a model folder this server allows' while a missing one
    ('bertlab/nothere') was 'not a local directory and the Hugging Face hub is unreachable': a student could probe
    which paths exist. Both now get the refusal, hub reachable or not; a hub model and the default still pass."""
    import huggingface_hub

    from bertlab import models
    from bertlab.data import hub
    from bertlab.errors import ModelError
    from bertlab.models import resolve

    (tmp_path / "private" / "notes").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    on_hub = {"org/real-model"}
    asked = []
    monkeypatch.setattr(huggingface_hub, "file_exists", lambda repo, name, **k: asked.append(repo) or repo in on_hub)

    def said(model: str) -> str:
        resolve.cache_clear()
        models._on_hub_said.clear()
        with pytest.raises(ModelError) as e:
            resolve(model)
        return str(e.value).replace(repr(model), "M")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "hub is unreachable" in said("private/nothere")  # unset: as before
    monkeypatch.setenv("BERTLAB_MODEL_DIRS", str(tmp_path / "class-models"))
    try:
        for reachable in (False, True):
            monkeypatch.setattr(hub, "hub_reachable", lambda timeout=3.0, r=reachable: r)
            texts = {said(m) for m in ("private/notes", "private/nothere", "private", "nothere")}
            assert len(texts) == 1 and "is neither in a model folder this server allows" in texts.pop()
        # a second diff review: the Train page resolves its model a dozen times a rerun, and each refusal asked the
        # hub again (a refusal is an exception, which resolve's cache does not keep); and an existing folder was
        # refused without asking, at once, where a missing name waited for the hub: asked alike, once a while
        asked.clear()
        for _ in range(13):
            for m in ("private/notes", "private/nothere"):
                resolve.cache_clear()
                with pytest.raises(ModelError):
                    resolve(m)
        assert sorted(asked) == ["private/notes", "private/nothere"]
        resolve.cache_clear()
        assert resolve("org/real-model") == "org/real-model"
        assert Path(resolve("minilm")).is_dir()
    finally:
        resolve.cache_clear()

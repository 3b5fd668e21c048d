"""Self-contained HTML reports and CSV exports of a comparison, for stakeholder walkthroughs.

The HTML embeds plotly.js once (inline and gzipped, no network needed), then every figure:
the results table, accuracy, accuracy against cost with the Pareto front and
the trade-off in words, training curves (the dapt MLM curve included),
learning curves for a sweep, each run's config, the dataset summary and the
machine the numbers were measured on.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import time

from bertlab import answer, memo, paired, pareto, serving, sweep, variants
from bertlab.config import model_title
from bertlab.costs import format_bytes, memory_of, model_bytes
from bertlab.errors import BertlabError, ConfigError
from bertlab.guard import GUARDED, is_number
from bertlab.metrics import (
    ECE_WORDS,
    MACRO_F1_WORDS,
    NEVER_ANSWERED_NOTE,
    chance_ece_sentence,
    few_texts_sentence,
    format_interval,
    run_accuracy_interval,
    signed,
    whole_percent,
)
from bertlab.pareto import Prices
from bertlab.prcurve import READ_AT
from bertlab.provenance import run_precision, run_threads, run_versions, used_settings
from bertlab.store import Run, RunStore
from bertlab.variants import EPOCH_FIELDS, descriptions, effective_options

__all__ = ["Prices", "build_html", "machine_info", "resolve_runs", "results_csv", "results_rows"]


def machine_info() -> dict[str, str]:
    """:func:`bertlab.models.machine_info`, imported when a report is built: the models module brings torch and
    transformers, which the CLI's light commands (`delete` resolves its runs here) need not load."""
    from bertlab.models import machine_info as info

    return info()


CSV_FIELDS = ("run_id", "batch_id", "strategy", "name", "status", "dataset", "n_train", "n_val", "n_test",
              "split_seed", "split_column", "hub_test_split", "seed",
              "test_accuracy", "test_accuracy_ci_low", "test_accuracy_ci_high", "test_macro_f1", "majority_accuracy",
              "test_ece", "val_accuracy", "val_macro_f1", "val_loss", "train_seconds", "total_seconds",
              "train_examples_per_s", "train_flops",
              "inference_flops_per_text", "serve_ms_p50",
              "serve_ms_p95", "serve_texts_per_s", "serve_money_per_million", "serve_device", "trainable_params",
              "total_params", "train_money", "currency", "price_per_hour", "peak_memory_bytes", "peak_memory_of",
              "model_bytes",
              "memory_without_encoder", "memory_first_in_process", "device", "precision", "threads", "epochs",
              "learning_rate",
              "batch_size", "warmup_ratio", "weight_decay", "grad_clip", "keep_best", "patience", "class_weights",
              "options", "max_length", "truncation", "model",
              "text_column", "text_pair_column", "label_column", "train_cap", "val_cap", "test_cap", "drop_rare_classes",
              "label_descriptions", "C",
              "data_sha256", "data_package", "bertlab", "torch", "transformers", "scikit-learn", "peft", "onnxruntime",
              "error")
# Training hyperparameters (variants.EPOCH_FIELDS) are left blank for a strategy they do not apply to (zero_shot,
# tfidf_logreg): a CSV reader must not take zero_shot's unused "lr 5e-05, 1 epoch" for something it was trained with.


def resolve_runs(store: RunStore, run_ids: list[str] | None = None, batch: str | None = None,
                 sweep_id: str | None = None, points: bool = False, offer_sweep: bool = False) -> list[str]:
    """Run ids named directly, by batch id or by sweep id (in that order, without repeats). With ``points``, a batch
    that is a sweep's is the runs holding its points, its reused ones included, as `runs` lists it and the app shows
    it (for reading them: delete and cancel touch the sweep's own runs alone). ``offer_sweep``: the caller takes a
    sweep id (report's --sweep), so the error for nothing named offers it (paired, which has none, offered it too).

    Raises:
        BertlabError: nothing named, or a named run/batch/sweep that does not exist.
    """
    ids: list[str] = []
    for ref in run_ids or []:
        ids.append(store.resolve_id(ref))  # a whole id, or its last characters as the app shows them
    if batch == "latest":  # the newest launch: what was just run, without copying its id
        recent = store.list_runs(limit=300)
        if not recent:
            raise BertlabError("there are no runs yet, so no latest batch; run `python -m bertlab run` first.")
        # not one whose every run was cancelled (a launch undone), where another is there, as the app opens
        # as `runs` says it: a sweep is the runs holding its points (its own all cancelled, reused ones finished)
        undone = sweep.undone(store, recent, sweep.sweep_ids(store))
        batch = next((r.batch_id for r in recent if r.batch_id not in undone), recent[0].batch_id)
    if batch:
        held = sweep.point_runs(store, [batch]).get(batch) if points and batch in sweep.sweep_ids(store) else None
        found = ([r.id for r in sorted(held, key=lambda r: r.created)] if held
                 else [r.id for r in reversed(store.list_runs(batch_id=batch, limit=100_000))])
        if not found:
            raise BertlabError(f"batch {batch!r} has no runs; `python -m bertlab runs` ends with the latest batch ids "
                               "(and the Train page shows one after each launch).")
        ids += found
    if sweep_id:
        rows = sweep.collect(store, sweep.load_sweep(store, sweep_id))
        ids += [r["run_id"] for r in rows if r["run_id"]]
    if not ids:
        raise BertlabError("name some runs: give run ids" + (", --batch BATCH_ID or --sweep SWEEP_ID." if offer_sweep
                                                             else " or --batch BATCH_ID ('latest': the newest "
                                                             "launch; a sweep's id: the runs holding its points)."))
    return list(dict.fromkeys(ids))


def results_rows(runs: list[Run], prices: Prices | None = None) -> list[dict]:
    """One flat dict per run with the CSV fields; ``name``: the run as the app shows it among ``runs``
    (:func:`bertlab.plots.run_labels`: ``head_only (lr 0.001)``, with its id's tail where that repeats). A finished
    run is named among the finished ones, as the predictions CSV's columns name it where they share one test set
    (a failed second seed must not rename the first), so the two files join on it."""
    from bertlab import serving
    from bertlab.plots import run_labels
    from bertlab.strategies import REGISTRY

    prices = prices or Prices()
    names = {**run_labels(runs), **run_labels([r for r in runs if r.status == "succeeded"])}
    out = []
    for r in runs:
        c, m, cfg = r.costs, r.metrics, r.config
        sizes = (r.data_summary or {}).get("sizes", {})
        secs = c.get("train_seconds")
        ci = run_accuracy_interval(m, sizes.get("test"))
        s = REGISTRY.get(r.strategy)
        data = cfg.get("data") or {}
        out.append({
            "run_id": r.id, "batch_id": r.batch_id, "strategy": r.strategy, "name": names[r.id], "status": r.status,
            "dataset": r.dataset,
            "n_train": sizes.get("train"), "n_val": sizes.get("validation"), "n_test": sizes.get("test"),
            "split_seed": data.get("seed"), "split_column": data.get("split_column"),
            "hub_test_split": data.get("hub_test_split"), "seed": cfg.get("seed") if s is None or s.uses_seed else None,
            "test_accuracy": m.get("test_accuracy"), "test_accuracy_ci_low": ci and ci[0],
            "test_accuracy_ci_high": ci and ci[1], "test_accuracy_ci": format_interval(ci),
            "test_macro_f1": m.get("test_macro_f1"),
            "majority_accuracy": m.get("majority_accuracy"), "test_ece": m.get("test_ece"),
            # the kept model on the validation texts (blank where a run kept none, e.g. zero_shot's loss)
            **{k: m.get(k) for k in ("val_accuracy", "val_macro_f1", "val_loss")}, "train_seconds": secs,
            "total_seconds": c.get("total_seconds"),
            # as Compare's examples/s and `run`'s ex/s read it (blank where nothing trains: zero_shot)
            "train_examples_per_s": pareto.examples_per_s(c),
            "train_flops": c.get("train_flops"), "inference_flops_per_text": c.get("inference_flops_per_text"),
            "serve_ms_p50": c.get("serve_ms_p50"), "serve_ms_p95": c.get("serve_ms_p95"),
            "serve_texts_per_s": c.get("serve_texts_per_s"), "serve_backend": c.get("serve_backend"),
            "serve_device": c.get("serve_device"),
            "serve_money_per_million": serving.money_per_million(c.get("serve_texts_per_s"),
                                                                 prices.per_hour(c.get("serve_device"))),
            "trainable_params": c.get("trainable_params"), "total_params": c.get("total_params"),
            "train_money": None if secs is None else secs / 3600 * prices.per_hour(c.get("device")),
            # what the money columns are in: the CSV alone must say it (the app's price may change after)
            "currency": prices.currency, "price_per_hour": prices.per_hour(c.get("device")),
            "peak_memory_bytes": c.get("peak_memory_bytes"),
            "peak_memory_of": memory_of(r),  # "rss": RAM the run added; "cuda": GPU memory it allocated
            "model_bytes": model_bytes(r),
            # true: the encoder was loaded before this run (or never, its embeddings cached): memory leaves it out
            "memory_without_encoder": c.get("memory_without_encoder"),
            # true: the first run measured in its process, whose CPU memory also holds the process's set-up
            "memory_first_in_process": c.get("memory_first_in_process", False), "device": c.get("device"),
            "precision": run_precision(r)["precision"],
            "threads": run_threads(r),  # CPU: another thread count trains another model (bertlab.provenance)
            # blank where the strategy does not use it (head_only: no warmup, no clipping)
            **used_settings(cfg, s, EPOCH_FIELDS, unknown=True),
            "options": json.dumps(options, sort_keys=True) if (options := effective_options(s, cfg, c)) else None,
            **{k: data.get(k) or (r.data_summary or {}).get(k) for k in ("text_column", "text_pair_column",
                                                                          "label_column")},
            **{f"{k}_cap": data.get(f"{k}_size") for k in ("train", "val", "test")},
            "drop_rare_classes": data.get("drop_rare", False),  # classes under 3 examples left out
            "label_descriptions": json.dumps(descs) if (descs := descriptions(r)) else None,
            # how the training loss weighed the classes (blank for zero_shot, which trains on no label)
            "class_weights": (cfg.get("class_weights") or "none") if s is None or s.reads_training_texts else None,
            "C": c.get("C"),  # tfidf_logreg: the C it chose on validation
            "data_package": (r.data_summary or {}).get("data_package"),  # as the run recorded it when it trained
            **used_settings(cfg, s, ("max_length",), unknown=True),
            # how a text longer than max_length was cut (a run from before the setting: head); blank for tfidf_logreg
            "truncation": (cfg.get("truncation") or "head") if s is None or s.uses_field("truncation") else None,
            "model": cfg.get("model") if s is None or s.uses_tokens else None,  # tfidf_logreg runs no model
            "data_sha256": (r.data_summary or {}).get("file_sha256"), **run_versions(r),
            "error": r.error})
    return out


def _cell(v: object) -> object:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe; a number
    written as text ('-1', a label) stays as it is: a spreadsheet reads it as the number it is. A text that starts
    with an apostrophe of its own ("'Tobey Maguire is...'") gets one more, so that removing one leading apostrophe
    from every cell (the README's ``str.removeprefix("'")``) gives back every text exactly, not its first letter cut."""
    if isinstance(v, str) and v[:1] in GUARDED and not is_number(v):
        return "'" + v
    return v


def csv_text(rows: list[dict], fields: list[str] | tuple[str, ...] | None = None) -> str:
    """Rows as CSV text, safe to open in a spreadsheet (file names and error messages are user text)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(fields or (rows[0] if rows else [])), extrasaction="ignore")
    w.writeheader()
    for row in rows:
        w.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def for_spreadsheet(text: str) -> bytes:
    """CSV text as a file to download or save (the CLI's ``-o`` / ``--csv`` files too: ``bertlab.cli.write_csv``):
    UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8 (without it, "Kopfhörer" and Chinese texts
    opened garbled); pandas skips the mark, Python's csv module with ``encoding="utf-8-sig"``."""
    return ("\ufeff" + text).encode("utf-8")


def _in_launch_order(store: RunStore, run_ids: list[str]) -> list[Run]:
    """The runs of ``run_ids`` that exist, in launch order, as the app lists them (the report and the CSV alike)."""
    return sorted((r for r in (store.get(i) for i in run_ids) if r is not None), key=lambda r: r.created)


def results_csv(store: RunStore, run_ids: list[str], prices: Prices | None = None) -> str:
    """The results table as CSV text (one row per run)."""
    return csv_text(results_rows(_in_launch_order(store, run_ids), prices), CSV_FIELDS)


# --- HTML ------------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}th,td{border:1px solid #ddd;padding:.3em .5em;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.muted{color:#666}
.lead{font-size:1.1em;background:#f6f8fa;border-left:4px solid #0072B2;padding:.6em 1em}.lead p{margin:.5em 0}pre{background:#f6f8fa;
padding:.6em;overflow:auto;font-size:.8em}details{margin:.3em 0}.fail{color:#b00020}
.wide{overflow-x:auto}dt{font-weight:600;margin-top:.4em}dd{margin-left:1.2em}
.grid{display:flex;flex-wrap:wrap;gap:.5em}.grid>div{width:340px;max-width:100%;break-inside:avoid}
body{overflow-wrap:anywhere}table{overflow-wrap:normal}
.wide td:first-child,.wide th:first-child{position:sticky;left:0;background:#fff;box-shadow:1px 0 0 #ddd}
.wide th:first-child{background:#f4f4f4}
@media screen{td.nw{white-space:nowrap}}
@media screen and (prefers-color-scheme:dark){:root{color-scheme:dark}body{background:#0e1117;color:#e6e6e6}
a{color:#6cb6ff}a:visited{color:#b39dfa}h2{border-bottom-color:#3a3f4b}th,td{border-color:#3a3f4b}th{background:#1c2029}
.muted{color:#a3a8b4}.lead{background:#1a1f2b;border-left-color:#56B4E9}pre{background:#1a1f2b}.fail{color:#ff7a8a}
.wide td:first-child,.wide th:first-child{background:#0e1117;box-shadow:1px 0 0 #3a3f4b}.wide th:first-child{background:#1c2029}
.plotly-graph-div{background:#fff;border-radius:6px;color-scheme:light}}
@media (max-width:640px){body{margin:1em auto;padding:0 .75em}h1{font-size:1.5em}h2{font-size:1.25em}
table{font-size:.8em}th,td{padding:.25em .4em}.modebar-container{display:none}}
@media print{body{max-width:none;margin:0}.cols7 table{font-size:.75em}.cols10 table{font-size:.62em}
th,td{padding:.15em .3em}
.wide td:first-child,.wide th:first-child{position:static;box-shadow:none}
.wide{overflow:visible}thead{display:table-header-group}tr{break-inside:avoid}
.wide,.fig,.grid>div,li{break-inside:avoid}h2,h3{break-after:avoid}.modebar-container{display:none}
pre{white-space:pre-wrap;overflow:visible}}
@media print{details::details-content{content-visibility:visible;display:contents}}
"""
# In a dark system theme (the app follows it): dark page, text, tables and links, on screen only (paper stays
# light); plotly draws its figures on white in its own colours, so each sits on a light card of its own.
# On paper: a table scrolling in its box lost its right edge and printed its scrollbar over the next heading. It
# fits the page instead (a smaller font where it has many columns: .cols7 and .cols10, set by _table; one still
# wider makes Chromium and Firefox scale the whole page to fit, rather than cut it), its header on each page it spans, a row never split. A chart, a table or a confusion matrix
# is kept on one page, a chart with its heading and caption (.fig), and plotly's toolbar (printed over the confusion
# matrices' titles) is left out. The closed <details> (each run's config and notes) open: by ::details-content
# (in a rule of its own: a selector a browser does not know drops the whole rule it is in) and by _PRINT_SCRIPT,
# for browsers without it; on screen they stay closed.
_PRINT_SCRIPT = """<script>(function(){var shut=[];
function open(){document.querySelectorAll('details:not([open])').forEach(function(d){d.open=true;shut.push(d)})}
function close(){shut.forEach(function(d){d.open=false});shut=[]}
addEventListener('beforeprint',open);addEventListener('afterprint',close);
var m=matchMedia('print');if(m.addListener)m.addListener(function(e){if(e.matches)open();else close()})})()</script>"""
# On a phone: without the viewport tag a mobile browser lays the page out 980 px wide and shrinks it to fit (tiny
# text); the CSS above keeps what is wider than the screen scrolling inside its own box (tables), fitting (figures,
# the confusion grid; a touch screen shows plotly's toolbar always, over a small chart's title, so it goes) or
# wrapping (a file's SHA-256, long paths and error messages break anywhere).
_VIEWPORT = "<meta name='viewport' content='width=device-width, initial-scale=1'>"


def predictions_runs(store: RunStore, run_ids: list[str]) -> tuple[list, list]:
    """(the runs :func:`predictions_csv` holds: scored on the test set of the first that kept its predictions, in
    launch order; the others, left out: on another test set, or with no predictions kept).

    Raises:
        BertlabError: no run kept test predictions.
    """
    ordered = _in_launch_order(store, run_ids)
    runs = [r for r in ordered if paired.load_predictions(r) is not None]
    if not runs:
        raise BertlabError("none of these runs kept its test predictions (runs from before bertlab stored them, or "
                           "none finished); run them again to get one.")
    first = paired.load_predictions(runs[0])["fingerprint"]
    same = [r for r in runs if paired.load_predictions(r)["fingerprint"] == first]
    return same, [r for r in ordered if r not in same]


def predictions_csv(store: RunStore, run_ids: list[str]) -> str:
    """One row per test text: where it came from in the user's table (its id column's value, or its row number
    counting from 1 after the header; not for a built-in dataset), the text, its true label, and each run's answer with its confidence (and up to
    :data:`bertlab.paired.MAX_STORED_CLASSES` classes, every class's probability), for the runs scored on the
    same test set as the first of them (in launch order) that kept its predictions: the texts to read when two
    runs disagree, or to score again with one's own metric or threshold.

    Raises:
        BertlabError: no run kept test predictions, or its test texts cannot be loaded again (a moved file).
    """
    from bertlab.data import load_splits
    from bertlab.plots import run_labels

    same, _ = predictions_runs(store, run_ids)
    first = paired.load_predictions(same[0])
    try:
        test = load_splits(same[0].run_config.data).test
    except BertlabError as e:
        raise BertlabError(f"the test texts of {same[0].label} cannot be loaded again: {e}") from None
    names = (same[0].metrics or {}).get("label_names") or []
    if paired.fingerprint(test.texts, test.labels, names) != first["fingerprint"]:
        raise BertlabError(f"the data of {same[0].label} changed since it ran: its test texts are not the ones it "
                           "answered, so its answers cannot be matched to them.")
    labels = run_labels(same)
    stored = {r.id: paired.load_predictions(r) for r in same}
    # Beside each run's answer, its confidence (the answer's probability), and where the classes are few (a
    # threshold or a ROC curve wants them) every class's probability; runs from before they were kept have none.
    # First, where each text came from in the user's table (its id column, or its row number): to join the answers
    # back to the rest of that row.
    where = next(iter(test.origin(0)), None) if len(test) else None
    cols = ([where] if where else []) + ["text", "true label"]
    for r in same:
        cols += [labels[r.id]] + ([f"{labels[r.id]} confidence"] if "confidences" in stored[r.id] else []) + (
            [f"{labels[r.id]} p({n})" for n in names] if "probabilities" in stored[r.id] else [])
    rows = []
    for i, (t, y) in enumerate(zip(test.texts, test.labels)):
        row = {"text": t, "true label": names[y]}
        if where:
            row.update(test.origin(i))
        for r in same:
            d = stored[r.id]
            row[labels[r.id]] = names[d["predictions"][i]]
            if "confidences" in d:
                row[f"{labels[r.id]} confidence"] = d["confidences"][i]
            if "probabilities" in d:  # kept up to paired.MAX_STORED_CLASSES classes
                row.update({f"{labels[r.id]} p({n})": p for n, p in zip(names, d["probabilities"][i])})
        rows.append(row)
    return csv_text(rows, cols)


MISTAKES_IN_REPORT = 10
# Of each of those texts, the report shows about this many characters: printed, ten bbc_news articles of 2-4k
# characters each filled 4 of 14 pages.
MISTAKE_TEXT_CHARS = 300


def shortened(text: str, limit: int = MISTAKE_TEXT_CHARS) -> str:
    """``text`` as it is where it has ``limit`` characters or fewer, else its start cut at a space near ``limit``
    (mid-word where there is none in its last 40 characters), with "…" after."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit + 1)
    return text[:space if space > limit - 40 else limit].rstrip() + "…"


def _surest_mistakes(run) -> list[dict]:
    """The run's surest wrong answers on its test texts, as table rows ([] where it kept no confidences, or its
    test texts cannot be loaded as they were)."""
    d = paired.load_predictions(run)
    wrong = paired.surest_wrong(d) if d else []
    test = paired.test_set_of(run, d["fingerprint"]) if wrong else None
    if test is None:
        return []
    names = test.label_names
    return [test.origin(i) | {"text": test.texts[i], "true label": names[d["labels"][i]], "its answer": names[d["predictions"][i]],
             "confidence": f"{100 * d['confidences'][i]:.0f}%"} for i in wrong[:MISTAKES_IN_REPORT]]


# The results' columns in its second table, in this order (build_html: with the run's name, under its scores)
_COST_COLUMNS = ("train_seconds", "train_examples_per_s", "train_flops", "trainable_params", "train_money",
                 "inference_flops_per_text", "model_size")


EACH_SIZE_ID = "each-size"  # the anchor of a sweep's "Which one to use at each size?"


def _sentence_html(said: str, in_sweep: bool) -> str:
    """One sentence of the answer as HTML; in a sweep's report, its pointer to the Learning curves page for every
    size's answer points to the report's own table instead: a student reading the report posted on a course page
    has no such page, and the table is a few sections below."""
    if in_sweep and said.endswith(answer.EVERY_SIZE_ON_PAGE):
        return (html.escape(said.removesuffix(answer.EVERY_SIZE_ON_PAGE)) + f" <a href='#{EACH_SIZE_ID}'>Which one "
                "to use at each size?</a>, below, answers for every size.")
    return html.escape(said)


def _per_class_table(per_class) -> str:
    """A per-class table (:func:`bertlab.plots.per_class_rows`: recall or precision) as a table of whole percents,
    a run a row. Halves up, as Compare's table rounds them (JavaScript's toFixed): 10 of 16 texts read 63% there and
    62% here (Python rounds a half to even), on the rare class a reader checks."""
    rows = [{k: v if k == "run" or v is None else whole_percent(v) for k, v in row.items()} for row in per_class.rows]
    return _table(rows, [("run", "run")] + [(c, c) for c in per_class.columns.values()])


def _table(rows: list[dict], cols: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(t)}</th>" for _, t in cols)
    # an interval on one line: '82.0-88.7%' wrapped at its hyphen into '82.0-' over '88.7%' at 1280 px (.nw, on
    # screen: on paper the results table must fit A4's width)
    nowrap = {k for k, t in cols if t == "95% interval"}  # (the paired tests' "+1.2 to +3.4" wrap at their spaces)
    body = []
    for r in rows:
        cells = []
        for k, _ in cols:
            v = r.get(k)
            if isinstance(v, float):  # rounded first: a tiny negative shows 0.000, not -0.000
                v = f"{round(v, 3) + 0.0:.3f}" if abs(v) < 10 else f"{v:,.1f}"
            elif isinstance(v, int):
                v = f"{v:,}"
            cells.append(f"<td{' class=nw' * (k in nowrap)}>{html.escape('-' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # On paper only a table of many columns takes a smaller font (_CSS): at .62em, as every table once had, the
    # memory table's three columns printed at ~7.4 pt beside 12-pt text. Measured on A4 (718 px, bbc_news's five
    # runs), at .9em the narrowest each can wrap to: paired tests (8 columns) 593 px, results (14) 976 px
    many = " cols10" if len(cols) >= 10 else " cols7" if len(cols) >= 7 else ""
    return (f"<div class='wide{many}'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "</div>")


def _mlm_figure(runs: list[Run], points: list[dict]):
    from bertlab import plots

    if not any(p["series"] == "mlm_loss" for p in points):
        return None
    return plots.mlm_loss_figure(runs, points)


def _figures(store: RunStore, runs: list[Run], prices: Prices, sweep_id: str | None,
             metric: str | None = None) -> list[tuple[str, object, str]]:
    """(section title, plotly figure, caption) for the report; ``metric``: what the answer judges by (None: the
    default for these runs)."""
    from bertlab import plots

    ok = [r for r in runs if r.status == "succeeded"]
    figs: list[tuple[str, object, str]] = []
    if sweep_id:
        spec = sweep.load_sweep(store, sweep_id)
        points = sweep.collect(store, spec)
        by_f1 = (metric or answer.sweep_metric(points)) == "macro_f1"  # as the per-size table below judges
        agg = sweep.aggregate(points, "test_macro_f1" if by_f1 else "test_accuracy")
        figs.append(("Learning curves", sweep.learning_curve_figure(
            agg, f"Learning curves: {spec.data.label}", "test macro-F1" if by_f1 else "test accuracy",
            percent=not by_f1),
            f"Test {'macro-F1 (a class is rare or the majority large, as in the table below)' if by_f1 else 'accuracy'}"
            " (mean ± standard deviation over seeds) against the number of labelled training examples, log scale."))
    if not ok:
        return figs
    declined = answer.no_answer_reason(ok)  # runs on different data: no strategy is ranked against another
    drawn = plots.charted_default(ok)  # of many runs, each strategy and setting's median seed (the trade-offs: all)
    # judged by macro-F1 (3% abusive comments: the majority's accuracy 96.8%, its macro-F1 0.492), the majority's
    # macro-F1 is drawn as the bar too, as on Compare; the measure as the answer below judges
    by = metric or answer.default_metric(ok if declined else _largest_size(ok)[0])
    figs.append(("Accuracy", plots.accuracy_figure(drawn, by=by), "Bars: test accuracy; diamonds: macro-F1; dashed "
                 "line: always predicting the majority class"
                 + ("; dash-dotted line: its macro-F1, the measure the answer judges by." if by == "macro_f1" else ".")
                 + (f" {charted_note(ok, drawn)}" if drawn != ok else "")
                 # a Pareto front ranked a bbc_news run against rotten_tomatoes' ones (a review)
                 + (f" {declined} For the same reason the report draws no accuracy-against-cost trade-off across "
                    "them: report each comparison's runs apart (`report --batch`) for theirs." if declined else "")))
    if not declined:
        same, n = _largest_size(ok)
        metric = metric or answer.default_metric(same)  # as the report's answer judges
        rows = answer.with_flat(pareto.by_strategy(pareto.rows_from_runs(same, prices)), same, metric)
        key = "test_macro_f1" if metric == "macro_f1" else "test_accuracy"
        judge = answer.gain_judge(ok, metric)
        said: list[str] | None = None  # the training-compute trade-off, in words with its noun taken out
        for cost in ("train_flops", "train_seconds", "trainable_params", "train_money", "inference_flops_per_text"):
            if not any(r.get(cost) is not None for r in rows):
                continue  # runs stored before bertlab counted their inference cost
            sentences = pareto.tradeoff_sentences(rows, cost, key, judge=judge, prices=prices)
            bare = [t.replace(pareto.COSTS[cost][1].removeprefix("the "), "") for t in sentences]
            first = said is None  # what the stars mean: said under the first of these charts only
            if said is None:
                said = bare
            elif bare == said:  # the same words as for training compute: said once, not five times
                sentences = ["The same trade-off as against training FLOPs."]
            text = ((f"At {n:,} training examples. " if n else "") + (pareto.STARS_SAID + " " if first else "")
                    + " ".join(sentences))
            figs.append((f"{'Macro-F1' if key == 'test_macro_f1' else 'Accuracy'} vs {pareto.COSTS[cost][0]}",
                         pareto.pareto_figure(rows, cost, key, prices=prices), text))
    points = store.points([r.id for r in drawn])
    x, why = curves_axis(drawn, points)
    figs.append(("Training loss", plots.train_loss_figure(drawn, points, x=x), "Cross-entropy per optimizer step"
                 + (", against the share of each run's steps." if why else ".")))
    mlm = _mlm_figure(drawn, points)
    if mlm is not None:
        pretrained = {p["run_id"] for p in points if p["series"] == "mlm_loss"}
        names = sorted({r.strategy for r in drawn if r.id in pretrained})
        figs.append((f"Masked-LM loss ({', '.join(names)})", mlm, plots.mlm_caption(set(names))))
    figs.append(("Validation", plots.validation_figure(drawn, points, progress=x == "progress"),
                 "Validation loss and accuracy per epoch" + (f". {why}" if why else ".") + " " + plots.CURVES_READING))
    if any((r.metrics or {}).get("calibration") for r in drawn):
        figs.append(("Calibration (test set)", plots.calibration_figure(drawn),
                     "Each run's test answers binned by the confidence it gave them (its top probability), against "
                     "how often the answers in each bin were right. On the dashed diagonal a run is right as often as "
                     "it says; below it, overconfident. ECE in the results table is the mean gap, weighted by texts."))
    return figs


def charted_note(runs: list[Run], drawn: list[Run]) -> str:
    """What the per-run charts of ``runs`` leave out, where they draw ``drawn`` of them
    (:func:`bertlab.plots.charted_default`)."""
    return (f"Of these {len(runs)} runs, the charts of runs draw {len(drawn)}: of each strategy and setting, its run "
            "of median test accuracy over its seeds (best first), as the Compare page draws them by default; "
            "the tables list every run, and the trade-off charts count them all.")


def _projection_section(ok: list[Run], prices: Prices, n: int, store: RunStore | None = None) -> str:
    """Per strategy, the money in one place: what training cost here, projected to ``n`` training examples as the
    Accuracy vs cost page does (:func:`bertlab.pareto.scaled_to`), and what serving a million texts costs where
    Compare measured it. The runs at the largest training size, as the trade-off above."""
    from bertlab.estimate import format_duration

    at_size = _largest_size(ok)[0]
    unraised = sweep.unraised_epochs(store, at_size) if store is not None else None
    rows = [r for r in pareto.by_strategy(pareto.rows_from_runs(at_size, prices, unraised)) if r["n_train"]]
    if not rows:
        return ""
    table = [{"strategy": r["strategy"], "n_train": round(r["n_train"]),
              "cost": pareto.format_cost(r["train_money"], "train_money", prices),
              "time_at": "-" if (t := pareto.scaled_to(r, "train_seconds", n)) is None else format_duration(t),
              "cost_at": pareto.format_cost(pareto.scaled_to(r, "train_money", n), "train_money", prices),
              "serve": ("not measured" if r["serve_money_per_million"] is None else
                        pareto.format_cost(r["serve_money_per_million"], "train_money", prices))} for r in rows]
    measured = all(r["serve_money_per_million"] is not None for r in rows)
    return (f"<h2>What training would cost at {n:,} examples</h2>" + _table(table, [
        ("strategy", "strategy"), ("n_train", "trained on"), ("cost", "training cost here"),
        ("time_at", f"time at {n:,}"), ("cost_at", f"cost at {n:,}"),
        ("serve", "serving, per million texts")])
        + "<p class='muted'>A comparison on a sample makes training look nearly free: these columns scale each "
          "strategy's training time and cost (the mean over its runs) in proportion to the training examples (same "
          "epochs, text lengths and device). A straight line from one small run, so its fixed costs (start-up, the "
          "first calls into a library) scale too: from a run of a few hundred texts it overstates. Learning curves "
          "measure it at several sizes. "
        + (f"{html.escape(', '.join(raised))}: the sweep trained more epochs at this small size than the strategy's "
           "own, to reach its minimum steps; the projection counts the strategy's own epochs, as training on that "
           "many examples would. " if (raised := [r["strategy"] for r in rows if (r.get("epochs_share") or 1) < 1])
           else "")
        + "Serving, per million texts: the texts per second Compare measured x the "
          "price per hour of the device that answered"
        + ("." if measured else "; not measured: press Measure serving speed on the Compare page, then make "
                                "the report again.") + "</p>"
        + (f"<p>{html.escape(note)}</p>" if (note := serving.same_work_note(at_size, prices)) else ""))


EPOCH_SPREAD = 3.0  # runs whose epochs differ more than this many times: their curves by % of run


def validation_epochs(runs: list[Run], points: list[dict]) -> dict[str, float]:
    """Epochs of each run that trains over epochs (a validation loss each): as planned, or as many as it ran, as the
    validation chart counts them (a run cancelled, failed or interrupted: as many as it ran). Not zero_shot or tfidf_logreg: one validation accuracy each, no epochs to
    squeeze."""
    ran: dict[str, float] = {}
    for p in points:
        if p["series"] == "val_loss":
            ran[p["run_id"]] = max(ran.get(p["run_id"], 0.0), float(p["x"] or 0.0))
    stopped = ("cancelled", "failed", "interrupted")  # what it ran, not what it was to run: its curve ends there
    return {r.id: ran[r.id] if r.status in stopped else max(float((r.config or {}).get("epochs") or 0.0), ran[r.id])
            for r in runs if r.id in ran}


def curves_axis(runs: list[Run], points: list[dict], name=lambda s: s) -> tuple[str, str]:
    """The x axis of the loss and validation charts (:data:`bertlab.plots.LOSS_X`), and why where it is not the
    steps: "progress" (by % of run) when the runs' epochs differ over :data:`EPOCH_SPREAD` times, or a 30-epoch
    head_only squeezes 3-epoch full_ft into the first tenth of a by-epoch axis. ``name`` quotes a run's name for
    the text (Markdown escaping on a page); the Compare page calls it too."""
    epochs = validation_epochs(runs, points)
    if len(epochs) < 2 or min(epochs.values()) <= 0 or max(epochs.values()) <= EPOCH_SPREAD * min(epochs.values()):
        return "step", ""
    names = variants.labels(runs)
    most, least = max(epochs, key=epochs.get), min(epochs, key=epochs.get)
    return "progress", (f"Shown by % of run: {name(names[most])} trains {epochs[most]:g} epochs and "
                        f"{name(names[least])} {epochs[least]:g}, so by epoch {name(names[least])} would fill only "
                        f"the first {epochs[least] / epochs[most]:.0%} of the axis.")


PR_TARGET = READ_AT  # the report reads each precision-recall curve at 90% recall (and precision), as `run` does


def _pr_section(ok: list[Run]) -> str:
    """Each run's precision-recall curve on the rarest class its runs kept probabilities for (Compare's default
    class), with the table of what it reads at :data:`PR_TARGET`, and the runs without a curve named; '' where no
    run kept probabilities."""
    from bertlab import plots, prcurve

    drawn = plots.charted_default(ok)  # as the charts above: of many runs, each setting's median seed
    choices = prcurve.class_choices(drawn)
    if not choices:
        return ""
    cs = prcurve.curves(drawn, choices[0])
    names = plots.run_labels(drawn)
    title = f"<h2>Precision against recall on {html.escape(repr(cs.name))}, the rarest class (test set)</h2>"
    said = ("<p>Each line: one run's precision and recall on that class as the probability it needs to answer it is "
            "lowered from 1 to 0; the marker: where its own answers (its most probable class) sit. Average precision "
            "(AP) is the area under the line: 1 for a run that ranks every text of the class above the others, the "
            f"class's share of the texts for a random one. {html.escape(plots.pr_threshold_note(drawn, cs, PR_TARGET))}"
            + (f" {html.escape(plots.pr_operating_note(cs, PR_TARGET))}" if cs.curves else "")
            + " The Compare page draws any class."
            + "".join(f" No curve for {html.escape(names[r.id])}: {html.escape(why)}." for r, why in cs.missing)
            + "".join(f" {html.escape(names[c.run_id])} never answered {html.escape(repr(cs.name))}: no marker, its "
                      "precision there is undefined." for c in cs.curves if c.at_answers[0] is None)
            # two runs on one curve (two perfect ones): one line over the other, a run seemed missing
            + (f" {html.escape(same)}" if (same := prcurve.coinciding_sentence(cs, names)) else "")
            + (f" {html.escape(charted_note(ok, drawn))}" if drawn != ok else "") + "</p>")
    if not cs.curves:
        return title + said
    # as the report's other charts: heading, words and chart kept together on paper (.fig), the table under them
    # as Compare's: at the recall, then at the precision, what to quote first in each
    tables = [plots.pr_table(drawn, cs, PR_TARGET, of=of) for of in ("recall", "precision")]
    return (f"<div class='fig'>{title}{said}"
            + _to_html(plots.pr_figure(drawn, cs, at_recall=PR_TARGET), default_height="420px",
                       config={"displaylogo": False, "responsive": True})
            + "</div>" + "".join(_table(t.to_dict("records"), [(c, c) for c in t.columns]) for t in tables))


def _confusion_section(runs: list[Run], names: dict[str, str]) -> str:
    """One small confusion matrix per finished run, side by side (as on Compare), titled by its name."""
    from bertlab import plots

    ok = [r for r in runs if r.status == "succeeded"]
    drawn = plots.charted_default(ok)  # as the charts above: of many runs, each setting's median seed
    done = [r for r in drawn if (r.metrics or {}).get("confusion")]
    if not done:
        return ""
    cells = "".join("<div>" + _to_html(plots.confusion_figure(r, height=320, title=names[r.id]),
        config={"displaylogo": False, "responsive": True}) + "</div>" for r in done)
    return ("<h2>Confusion matrices (test set)</h2><p>Rows: the true class; columns: what the run answered. "
            "Each cell counts test texts; its shade is the share of the true class (the diagonal is each class's "
            f"recall).{' ' + html.escape(charted_note(ok, drawn)) if drawn != ok else ''}</p>"
            f"<div class='grid'>{cells}</div>")


COMPACT_FROM = 16  # a trace's list of at least this many numbers is written as float32 (below)


def _compact(fig):
    """A copy of ``fig`` whose traces' long lists of numbers (a loss curve's steps and
    values, the epochs in its hover) are float32 arrays, which plotly writes as base64 (5.3 characters a number)
    instead of JSON's up to 17 digits (a loss recorded in float32 reads "0.6926374435424805,"): a report of 160
    runs was 0.97 MB of training-loss digits alone. float32 keeps 7 significant digits: the charts and their hovers
    (3 decimals at most) read the same. A list holding anything but numbers (a gap's None, a category's name) is
    left as it is. A new figure, not ``fig`` changed: plotly leaves a property as it was where the new value
    equals it (a loss recorded in float32 did)."""
    import numpy as np
    import plotly.graph_objects as go

    def numbers(v) -> bool:
        return (isinstance(v, (list, tuple)) and len(v) >= COMPACT_FROM
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v))

    out = fig.to_plotly_json()
    for trace in out["data"]:
        for key in ("x", "y", "customdata"):
            if numbers(trace.get(key)):
                trace[key] = np.asarray(trace[key], dtype=np.float32)
        marker = trace.get("marker") or {}
        if numbers(marker.get("size")):
            marker["size"] = np.asarray(marker["size"], dtype=np.float32)
    return go.Figure(out)


def _to_html(fig, **kw) -> str:
    """A report figure's HTML (``kw``: :func:`plotly.io.to_html`'s), its numbers compacted (:func:`_compact`), its
    script run once plotly.js is unpacked (:func:`_plotly_js`)."""
    return _compact(fig).to_html(full_html=False, include_plotlyjs=False, **kw).replace(
        "<script>", f'<script type="{_DEFERRED}">')


_DEFERRED = "text/x-bertlab-plot"  # a figure's script, which the browser does not run until plotly.js is there
# plotly.js (4.8 MB, 98% of a 4-run report) gzipped in base64 (2.0 MB), unpacked by the browser's own
# DecompressionStream (Chrome and Edge 80, Firefox 113, Safari 16.4 and later); then the figures' scripts run, in
# page order. A browser without it says so where the charts would be; the tables and the text are all there.
_PLOTLY_LOADER = """<script>(function(){
var plots=[].slice.call(document.querySelectorAll('script[type="DEFERRED"]'));
if(!plots.length)return;
if(!window.DecompressionStream){var p=document.createElement('p');p.className='fail';
p.textContent='This browser cannot draw the charts (they need Chrome or Edge 80, Firefox 113 or Safari 16.4 or later): '+
'the tables and text are all here.';var h=document.querySelector('h2');h.parentNode.insertBefore(p,h);return}
var b=atob(document.getElementById('bertlab-plotly').textContent),a=new Uint8Array(b.length);
for(var i=0;i<b.length;i++)a[i]=b.charCodeAt(i);
new Response(new Blob([a]).stream().pipeThrough(new DecompressionStream('gzip'))).text().then(function(js){
var s=document.createElement('script');s.text="window.PlotlyConfig={MathJaxConfig:'local'};"+js;
document.head.appendChild(s);
plots.forEach(function(o){var n=document.createElement('script');n.text=o.text;o.parentNode.replaceChild(n,o)})})
})()</script>""".replace("DEFERRED", _DEFERRED)


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    """plotly.js gzipped, in base64, and the script that unpacks it and then draws the figures (:data:`_DEFERRED`);
    packed once a process (0.19 s each report, otherwise)."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    packed = base64.b64encode(gzip.compress(get_plotlyjs().encode(), 9, mtime=0)).decode()
    return f"<script type='application/octet-stream' id='bertlab-plotly'>{packed}</script>{_PLOTLY_LOADER}"


def _largest_size(runs: list[Run]) -> tuple[list[Run], int | None]:
    """The runs at the largest training size, and that size where the runs have several (a sweep): averaging 32
    and 2,048 labels into one point per strategy would hide what a sweep measures."""
    sizes = {(r.data_summary or {}).get("sizes", {}).get("train") for r in runs} - {None}
    if len(sizes) <= 1:
        return runs, None
    n = max(sizes)
    return [r for r in runs if (r.data_summary or {}).get("sizes", {}).get("train") == n], n


def not_the_pick(best: dict, rows: list[dict], pick, judge, lead: list[str] | tuple = ()) -> str:
    """Why the most accurate strategy (``best``, a row of ``rows``: :func:`bertlab.pareto.by_strategy`) is not the
    answer's ``pick`` (a run, None where the answer picks none), said after 'Most accurate: full_ft at 75.0% test
    accuracy.': its lead within the luck of the test set (``judge``: :func:`bertlab.answer.gain_judge`) and what it
    costs to train beside the pick. The report's top read "Start with head_only", and right after "Most accurate:
    full_ft", a contradiction to a manager. '' where the pick is the best, or neither reason can be told. Where the
    trade-off's first sentence (``lead``: :func:`bertlab.pareto.tradeoff_sentences`) weighs the best against the
    pick, it is pointed to, not said twice."""
    mine = next((r for r in rows if pick is not None and pick.id in (r.get("run_ids") or [])), None)
    if mine is None or mine["strategy"] == best["strategy"]:
        return ""
    if lead and lead[0].startswith(f"{best['strategy']} is ") and f" over {mine['strategy']} " in lead[0]:
        return " Why it is not the pick above:"
    verdict = judge(best, mine) if judge else None
    how, _, test = (verdict or "").partition(": ")
    reasons = [f"its lead over {mine['strategy']} is {how}" + (f" ({test})" if test else "")] if (
        verdict and not pareto.beyond_chance(verdict)) else []
    dear, cheap = best.get("train_flops"), mine.get("train_flops")
    if dear and cheap is not None and (cheap == 0 or dear / cheap >= 1.05):
        reasons.append(f"{mine['strategy']} trains nothing" if cheap == 0 else
                       f"it takes {pareto._ratio(dear, cheap).replace('x', ' times')} the training compute")
    return f" Not the pick above: {', and '.join(reasons)}." if reasons else ""


def build_html(store: RunStore, run_ids: list[str], title: str = "bertlab comparison",
               prices: Prices | None = None, sweep_id: str | None = None,
               project_to: int = pareto.PROJECT_TO, judge_by: str | None = None) -> str:
    """A self-contained HTML page (opens offline in any browser) describing ``run_ids``; ``project_to``: the
    number of training examples the training cost is projected to (as on the Accuracy vs cost page);
    ``judge_by``: 'accuracy' or 'macro_f1', what the answer, the trade-offs and the paired tests judge by (Compare's
    Judge by, `report --judge-by`); None: the default for these runs (:func:`bertlab.answer.default_metric`).
    Each run's names, predictions and test against the majority class are worked out once for the whole page
    (:mod:`bertlab.memo`)."""
    with memo.within():
        return _build_html(store, run_ids, title, prices, sweep_id, project_to, judge_by)


def _build_html(store: RunStore, run_ids: list[str], title: str, prices: Prices | None, sweep_id: str | None,
                project_to: int, judge_by: str | None) -> str:
    from bertlab.data.dataset import counted  # its module brings pandas: a report needs it only here

    if judge_by not in (None, *answer.JUDGES):
        raise ConfigError(f"judge_by={judge_by!r} is not a measure the report judges by; use one of "
                          f"{', '.join(answer.JUDGES)}, or None for the default.")
    prices = prices or Prices()
    runs = _in_launch_order(store, run_ids)
    if not runs:
        raise BertlabError("the report has no runs; choose at least one run.")
    ok = [r for r in runs if r.status == "succeeded"]
    # Each run's name throughout: its strategy, the settings that tell it from another run of that strategy here
    # (head_only at two learning rates read "head_only · 5972" and "head_only · 1078"), and its id's tail.
    names = paired.run_names(runs)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'>{_VIEWPORT}<title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1><p class='muted'>Generated {time.strftime('%Y-%m-%d %H:%M')} by bertlab "
             f"from {counted(len(runs), 'run')}, {len(ok)} succeeded. Data: "
             f"{html.escape(', '.join(sorted({r.dataset for r in runs})))} · model: "
             f"{html.escape(', '.join(sorted({model_title(r.model) for r in runs})))} · batch: "
             f"{html.escape(', '.join(dict.fromkeys(r.batch_id for r in runs)))}.</p>"]
    pick = None  # the run the answer starts with: its surest mistakes are shown below
    if ok:
        same, n = _largest_size(ok)
        # as the answer below judges: the measure asked for, else macro-F1 on an imbalanced test set
        metric = judge_by or answer.default_metric(same)
        rows = answer.with_flat(pareto.by_strategy(pareto.rows_from_runs(same, prices)), same, metric)
        key = "test_macro_f1" if metric == "macro_f1" else "test_accuracy"
        judge = answer.gain_judge(ok, metric)
        lead = pareto.tradeoff_sentences(rows, "train_flops", key, judge=judge)
        # of equal scores the cheapest to train, as the answer breaks the tie (it named tfidf_logreg where this
        # said head_only, both at 97.5%)
        best = max(rows, key=lambda r: (r[key] or 0, -(r.get("train_flops") or 0)))
        at = f" (at {n:,} training examples, the largest size of these runs)" if n else ""
        top = (f"{100 * best['test_accuracy']:.1f}% test accuracy" if key == "test_accuracy" else
               f"macro-F1 {best['test_macro_f1']:.3f}")
        # The answer first; then what is most accurate and what each gain costs in compute (read after the
        # answer, "Not worth it: ..." no longer looks like a second verdict before the first).
        why = None
        # None where it is the default: the answer then says why (an imbalanced test set), as on Compare
        still = answer.still_to_finish(runs)  # as Compare counts them: a run being stopped will not finish
        # all the runs: those that failed are named in it ("Not compared: dapt (failed: ...)")
        if (a := answer.answer(runs, metric=None if judge_by == answer.default_metric(ok) else judge_by)) is not None:
            pick = a.pick
            a = answer.provisional(a, len(still))  # "So far: use ...", as on Compare, while runs train
            parts.append(f"<h2>Which one to use?{html.escape(answer.so_far(len(still)))}</h2>"
                         + (f"<p class='muted'>{html.escape(answer.still_sentence(still, lambda r: names[r.id]))}</p>"
                            if still else "")
                         # a paragraph a point, as Compare's box has them: run together, bbc_news's five runs made
                         # one block of 19 lines at 1024 px (the interval, the cheaper and costlier runs, the
                         # weakest class, the runs trained too briefly, the texts cut at 128 tokens...)
                         + "<div class='lead'>" + (f"<p>{html.escape(a.plain)}</p>" if a.plain else "")
                         + f"<p><b>{html.escape(a.headline)}</b></p>"
                         + "".join(f"<p>{_sentence_html(s, bool(sweep_id))}</p>" for s in a.sentences)
                         + f"</div><p class='muted'>{html.escape(a.caveat)} "
                         f"{html.escape(answer.judged_by_sentence(judge_by, ok))}</p>")
        # runs on two files, or one finished beside runs that ended without a result (passed too, as Compare
        # passes them: of the finished run alone the report said nothing): said, not left out without a word
        elif reason := answer.no_answer_reason(runs):
            parts.append(f"<h2>Which one to use?</h2><p class='lead'>{html.escape(reason)}</p>")
            why = answer.no_answer_reason(ok)  # declined (two files): no trade-off ranked across them below
        if why is None:  # declined for the same reason, "Not worth it" ranked a bbc_news run against rotten_tomatoes'
            parts.append(f"<h2>Accuracy against training compute</h2><p>"
                         f"{'Most accurate' if key == 'test_accuracy' else 'Best by macro-F1'}{at}: "
                         f"<b>{html.escape(best['strategy'])}</b> at {top}."
                         f"{html.escape(not_the_pick(best, rows, pick if a is not None and a.recommends else None, judge, lead))}"
                         f" {html.escape(' '.join(lead))}</p>")
    # The run's name as the app shows it ("full_ft · a8fb", "full_ft (lr 2e-05) · a8fb"): the full ids are in the
    # configurations below.
    cols = [("run", "run"), *([("status", "status")] if len(ok) < len(runs) else []), ("n_train", "train n"),
            *([("seed", "seed")] if len({r.config.get("seed") for r in runs}) > 1 else []),
            # a sweep's seeds draw their own splits: zero_shot's two runs there differ by their data alone
            *([("split_seed", "split seed")] if len({(r.config.get("data") or {}).get("seed") for r in runs}) > 1
              else []),
            ("test_accuracy", "test acc"), ("test_accuracy_ci", "95% interval"), ("test_macro_f1", "macro-F1"),
            ("majority_accuracy", "majority"), ("test_ece", "ECE"),
            ("train_seconds", "train s"), ("train_examples_per_s", "examples/s"), ("train_flops", "train FLOPs"),
            ("inference_flops_per_text", "inference FLOPs/text"), ("trainable_params", "trainable"),
            ("model_size", "on disk"),
            # "training", as the projection's "training cost here": beside inference FLOPs/text and on disk, under
            # "What each run cost: training, then serving", a bare "cost ($)" read as a run's whole cost, serving too
            ("train_money", f"training cost ({prices.currency})")]
    rows = results_rows(runs, prices)
    from bertlab.metrics import run_single_class
    from bertlab.strategies import one_answer_reason

    one_class = []
    for r, run in zip(rows, runs):
        r["run"] = names[run.id]
        r["model_size"] = format_bytes(r.get("model_bytes"))  # what serving it needs on disk
        if (only := run_single_class(run.metrics)) is not None:
            r["run"] += " ⚠"  # its accuracy, F1 and ECE describe a constant answer, not a model
            one_class.append(f"{names[run.id]} answered {only!r} to every test text ({one_answer_reason(run.strategy)})")
        for k in ("test_accuracy", "majority_accuracy"):  # percent, as in the app
            if r[k] is not None:
                r[k] = f"{100 * r[k]:.1f}%"
        for k in pareto.FLOP_COSTS:
            if r[k] is not None:
                r[k] = pareto.format_cost(r[k], k)
        if r["train_money"] is not None:
            r["train_money"] = pareto.format_cost(r["train_money"], "train_money", prices)
        if r["train_seconds"] is not None:
            r["train_seconds"] = f"{r['train_seconds']:,.1f}"
        # as Compare's table: n/a where nothing trains (zero_shot), '-' where none was recorded (a run that failed,
        # is still training or was stored before the figure)
        eps = r["train_examples_per_s"]
        r["train_examples_per_s"] = f"{eps:,.0f}" if eps else "n/a" if r.get("trainable_params") == 0 else None
    # Two tables, as Compare's: its scores, then what it cost to train and to serve. As one, the fourteen columns
    # were 1,076 px wide in the page's 992 at 1024 px (bbc_news, five runs; a sweep's seed and split seed more), the
    # costs behind a sideways scroll on a projector.
    first = [c for c in cols if c[0] not in _COST_COLUMNS]
    # the columns in words, under them: a reader who knows no ML met "macro-F1" nowhere explained, "ECE" two
    # sections on (in the recall note)
    said = ("Test acc: the share of the test texts the run labelled right; majority: what always answering the most "
            f"common class scores, the floor every run must beat; {MACRO_F1_WORDS}; {ECE_WORDS}.")
    # on a few test texts, how much of the largest ECE the luck of the texts could be, after ECE as Compare says it
    # (it followed the recall note's own words on ECE, said twice once this line said them)
    if scored := [r for r in runs if r.status == "succeeded" and r.metrics]:
        said += chance_ece_sentence(max(scored, key=lambda r: r.metrics.get("test_ece") or 0).metrics)
    parts.append("<h2>Results</h2>" + _table(rows, first) + f"<p class='muted'>{html.escape(said)}</p>"
                 + "<h3>What each run cost: training, then serving</h3>"
                 + _table(rows, [("run", "run"), *sorted((c for c in cols if c[0] in _COST_COLUMNS),
                                                         key=lambda c: _COST_COLUMNS.index(c[0]))]))
    parts.append(_failed_section(runs))
    if spread := pareto.seed_spread(runs):
        keys = ("strategy", "training examples", "runs", "test accuracy", "range", "macro-F1")
        parts.append("<h3>Over the seeds</h3>" + _table(spread, [(k, k) for k in keys])
                     + "<p class='muted'>Each strategy run several times at one size: mean ± standard deviation over "
                       "its runs, and the range of test accuracy.</p>")
    if one_class:
        parts.append("<p class='muted'>⚠ " + html.escape("; ".join(one_class)) + ": its numbers describe a constant "
                     "answer, not a model (a low ECE there means nothing).</p>")
    parts.append(_strategies_section(runs))
    parts.append("<p class='muted'>95% interval: the accuracies the model could truly have (on texts like these) "
                 "that this many test texts cannot rule out (Wilson score interval); runs whose intervals overlap may differ by chance alone.</p>")
    # as the page's inputs show them ("$2.50", not "$2.5"); validated by Prices, escaped all the same: user text
    # only the prices of the devices these runs used (no relabelled $2.50 GPU default beside CPU runs)
    kinds = {pareto.device_kind(c.get(k)) for r in runs if (c := r.costs or {})
             for k, there in (("device", "train_seconds"), ("serve_device", "serve_ms_p50")) if c.get(there) is not None
             } or {"cpu", "gpu"}
    parts.append("<p class='muted'>Training time (train s): the training alone, not loading the model nor "
                 "evaluating it; head_only's counts its encoder pass over the training texts (as it costs when "
                 "computed, even from the cache), dapt's its masked-LM phase, scratch's its new vocabulary, "
                 "tfidf_logreg's fitting its vocabulary and its search over C. Examples/s: training texts x epochs "
                 "per second of that time (head_only and tfidf_logreg: each text once).</p>")
    parts.append(f"<p class='muted'>Money = training time x {html.escape(pareto.price_line(prices, kinds))}. "
                 # not "parameters": MiniLM's 22.7M read as 2x the FLOPs shown (its embeddings, 11.9M, do no
                 # multiply-adds; a review)
                 "FLOPs are estimates (6 x non-embedding parameters x real tokens for full training, plus attention "
                 "over each text's real tokens, padding left out; frozen parts cost less). "
                 f"{html.escape(pareto.FLOP_WORDS)}</p>")
    parts.append(_memory_section(runs, names))
    from bertlab.costs import attention_mix_note

    if flops_note := attention_mix_note(runs, names):
        parts.append(f"<p class='muted'>{html.escape(flops_note)}</p>")
    if ok:
        parts.append(_projection_section(ok, prices, project_to, store))
    from bertlab import plots

    if (recall := plots.per_class_rows(ok)) is not None:
        parts.append(
            "<h2>Recall per class (test set)</h2>" + _per_class_table(recall) + "<p class='muted'>The share of each "
            "class's test texts the run found: what accuracy and macro-F1 average away."
            # a class of few test texts, as Compare's caption and `run`'s table say it under the same table
            + (html.escape(f" {few}") if (few := few_texts_sentence(recall.support)) else "")
            + "</p>")
        # a rare class (the answer judges by macro-F1 by default): recall alone ranked zero_shot, which called 152 of
        # 375 comments abusive to find 8 of the 12 abusive ones, above head_only's 6 answers, all right
        if answer.default_metric(ok) == "macro_f1" and (precision := plots.per_class_rows(ok, "precision")):
            parts.append(
                "<h2>Precision per class (test set)</h2>" + _per_class_table(precision) + "<p class='muted'>The "
                "share of the run's answers of each class that were right: a run can find more of a rare class by "
                "giving that answer to many texts, which recall alone rewards."
                + (f" {html.escape(NEVER_ANSWERED_NOTE)}" if precision.never_answered else "") + "</p>")
        parts.append(_pr_section(ok))
    served = [r for r in rows if r.get("serve_ms_p50") is not None]
    if served:
        for r in served:
            r["serve_ms_p50"] = f"{r['serve_ms_p50']:.1f}"
            r["serve_ms_p95"] = "-" if r["serve_ms_p95"] is None else f"{r['serve_ms_p95']:.1f}"
            r["serve_texts_per_s"] = f"{r['serve_texts_per_s']:,.0f}" if r["serve_texts_per_s"] else "-"
            r["serve_money_per_million"] = pareto.format_cost(r["serve_money_per_million"], "train_money", prices)
        devices = sorted({r["serve_device"] for r in served if r.get("serve_device")})
        parts.append("<h2>What serving costs</h2>" + _table(served, [
            ("run", "run"), ("inference_flops_per_text", "inference FLOPs/text"),
            ("serve_ms_p50", "ms per text (p50)"), ("serve_ms_p95", "p95"),
            ("serve_texts_per_s", "texts/s (batches of 64)"),
            ("serve_money_per_million", f"{prices.currency} per million texts"), ("serve_backend", "runtime")])
            + "<p class='muted'>Timed on request on the Compare page"
            + (f", on {html.escape(', '.join(devices))}" if devices else "") + ": one test text at a time (median "
            "and 95th percentile of 20), then 256 in batches of 64; money = the time for a million texts at that rate "
            "x the price per hour. Runs doing the same work per text (the same inference FLOPs) can differ by the "
            "machine's noise alone.</p>"
            # the figure to quote and Compare's warning, as Compare says them (not lora "17% cheaper" by noise)
            + (f"<p>{html.escape(note)}</p>" if (note := serving.same_work_note(ok, prices)) else ""))
    if sweep_id:
        spec = sweep.load_sweep(store, sweep_id)
        by_id = {r.id: r for r in runs}  # the sweep's runs, already loaded: no store reads per pair
        points = sweep.collect(store, spec)
        if picks := answer.sweep_rows(points, by_id.get, metric=judge_by):
            parts.append(f"<h2 id='{EACH_SIZE_ID}'>Which one to use at each size?</h2>" + _table(answer.sweep_table(picks), [
                ("labelled", "labelled"), *((k, k) for k in ("most accurate", "best by macro-F1")
                                            if any(k in t for t in answer.sweep_table(picks))),
                ("use", "use"), ("why", "why"),
                ("seeds compared", "seeds compared")])
                + "".join(f"<p>{html.escape(said)}</p>" for said in answer.sweep_whole_texts(picks))
                + f"<p class='muted'>{html.escape(answer.sweep_note(spec.vary_split, judge_by or answer.sweep_metric(points), bool(spec.data.split_column or spec.data.hub_test_split)))}</p>")
    # judged by macro-F1 (an imbalanced test set, as the answer above): its paired test beside McNemar's, and the p
    # Holm adjusts, as on the Compare page
    by_f1 = (judge_by or answer.default_metric(ok)) == "macro_f1"
    cap = paired.MAX_LISTED_RUNS  # a static page lists the pairs of up to this many runs, and says so beyond
    pairs = paired.summary_rows(ok, name=lambda r: names[r.id], max_runs=cap,
                                metric="macro_f1" if by_f1 else "accuracy")
    crowded = [paired.crowded_note(group, cap, paired.paired_command(group, store))
               for group in paired.crowded(ok, cap)]
    if crowded and not pairs:
        parts.append("<h2>Is the difference real? (paired tests)</h2><p class='muted'>"
                     + html.escape(" ".join(crowded)) + "</p>")
    if pairs:
        f1_edge = _add_f1_columns(pairs, ok) if by_f1 else []
        for r in pairs:
            r["p"] = paired.format_p(r["p (McNemar)"])
            r["p_holm"] = paired.format_holm(r)
            r["diff"] = signed(r["A - B (points)"], 1)
        parts.append("<h2>Is the difference real? (paired tests)</h2>" + _table(pairs, [
            ("A", "A"), ("B", "B"), ("diff", "A - B (points)"), ("95% interval (points)", "95% interval (points)"),
            ("only A right", "only A right"), ("only B right", "only B right"), ("p", "p (McNemar)"),
            *([("f1_diff", "A - B (macro-F1)"), ("f1_interval", "95% interval (macro-F1)"),
               ("f1_p", "p (macro-F1)")] if by_f1 else []),
            *([("p_holm", "p (Holm)")] if any(r["holm_pairs"] > 1 for r in pairs) else [])]))
        parts.append("<p class='muted'>Runs scored on the same test texts, compared text by text: only the texts one "
                     "run gets right and the other wrong count (McNemar's exact test). p below 0.05: a split that "
                     "uneven is unlikely to be the luck of the test set. Training luck (another seed) is not "
                     "covered." + (" With several pairs some p fall below 0.05 by chance alone: Holm's adjusted p "
                                   f"(of {'macro-F1' if by_f1 else 'McNemar'}'s p) keeps the chance of any false "
                                   f"alarm among the pairs of two {_family_noun(pairs)} at one training size (seed "
                                   "against seed where both ran at the same seeds) under 5% (two seeds of one strategy, "
                                   "no choice to make, show '—')."
                                   if any(r["holm_pairs"] > 1 for r in pairs) else "")
                     + "".join(f" {html.escape(r['A'])} vs {html.escape(r['B'])}: " + paired.EDGE_NOTE
                               for r in pairs if r.get("at_edge"))
                     + (" Macro-F1 (every class counts the same, as the answer above judges): macro-F1 is no sum "
                        "over texts, so its p comes from a paired permutation test (2,000 random swaps of the two "
                        "runs' answers) and its interval from 2,000 bootstrap resamples of the test texts."
                        if by_f1 else "")
                     + "".join(f" {html.escape(r['A'])} vs {html.escape(r['B'])}: " + paired.F1_EDGE_NOTE
                               for r in f1_edge)
                     + "".join(" " + html.escape(note) for note in crowded) + "</p>")
    if pick is not None and (mistakes := _surest_mistakes(pick)):
        where = [(k, k) for k in list(mistakes[0])[:1] if k != "text"]  # its id column, or row number, first
        picked = html.escape(names.get(pick.id, pick.label))
        cut = [r | {"text": shortened(r["text"])} for r in mistakes]  # the full texts: in the predictions CSV
        parts.append(f"<h2>Where {picked} goes wrong</h2>" + _table(cut, where + [
            ("text", "text"), ("true label", "true label"), ("its answer", "its answer"), ("confidence", "confidence")])
            + f"<p class='muted'>The test texts {picked} (the answer's pick) got wrong with the "
              "highest confidence. A model sure of a wrong answer meets a hard text, has learnt a shortcut, or is "
              "right and the label is wrong."
            + (f" Texts longer than {MISTAKE_TEXT_CHARS} characters are cut there (…): every test text in full, "
               "with each run's answer and confidence, in "
               f"<code>python -m bertlab report {html.escape(pick.id)} --predictions FILE.csv</code>, or on the "
               "Compare page (the test texts each run got wrong most confidently)."
               if cut != mistakes else "") + "</p>")
    for name, fig, caption in _figures(store, runs, prices, sweep_id, judge_by):
        fig_html = _to_html(fig, default_height="420px",
                            config={"displaylogo": False, "responsive": True})
        parts.append(f"<div class='fig'><h2>{html.escape(name)}</h2><p>{html.escape(caption)}</p>{fig_html}</div>")
    parts.append(_confusion_section(runs, names))
    parts.append("<h2>Data</h2>" + _data_section(runs))
    parts.append(_machine_section(runs, names))
    parts.append(_configs_section(runs))
    if any(f"<script type=\"{_DEFERRED}\">" in p for p in parts):  # plotly.js once, after the figures it draws
        parts.append(_plotly_js())
    parts.append(_PRINT_SCRIPT + "</body></html>")
    return "\n".join(parts)


def _failed_section(runs: list[Run]) -> str:
    """The errors of the runs that ended without a result, under their own heading beside the results table (a
    bare red list between the mistakes and the accuracy chart, read as part of neither); '' where none did."""
    failed = [r for r in runs if r.status != "succeeded" and r.error]
    if not failed:
        return ""
    shown = variants.labels(runs)  # its name without the id's tail: the whole id follows
    return ("<h3>Runs without a result</h3><p class='muted'>Not in the answer, the trade-offs or the paired tests: "
            "they ended without a result, for these reasons.</p><ul>"
            + "".join(f"<li class='fail'>{html.escape(shown[r.id])} ({r.id}, {html.escape(r.status)}): "
                      f"{html.escape(r.error or '')}</li>" for r in failed) + "</ul>")


def _configs_section(runs: list[Run]) -> str:
    """Each run's configuration: what it trained with (:func:`bertlab.variants.settings_text`: zero_shot's unused
    epochs and learning rate left out), then the stored config whole, and the command that reruns it."""
    names = variants.labels(runs)
    return "<h2>Run configurations</h2>" + "".join(
        f"<details><summary>{html.escape(names[r.id])} · {r.id}</summary>"
        f"<p>Trained with: {html.escape(variants.settings_text(r) or 'no setting of its own')}.</p>"
        + _precision_line(r)
        +         f"<p class='muted'>The stored config (fields its strategy does not use are kept there but did nothing); "
        f"<code>python -m bertlab run --from-run {html.escape(r.id)}</code> reruns it on the machine that holds "
        "this run, its other flags overriding a setting (<code>--seed 1</code>):</p>"
        f"<pre>{html.escape(json.dumps(r.config, indent=2))}</pre>"
        + ("<p>" + "<br>".join(html.escape(n) for n in r.notes) + "</p>" if r.notes else "")
        + "</details>" for r in runs)


def _precision_line(run: Run) -> str:
    """The precision ``run`` computed in beside its setting: the stored config says "precision": "auto", which
    is bf16 on a GPU (or a CPU) that has it and fp32 elsewhere; '' for a run that measured none (tfidf_logreg, one
    that did not finish)."""
    ran = run_precision(run)["precision"]
    if not ran:
        return ""
    return (f"<p>Ran in {html.escape(ran)} (its precision setting: "
            f"{html.escape(str((run.config or {}).get('precision', 'auto')))}).</p>")


def _family_noun(pairs: list[dict]) -> str:
    """What Holm's family of the report's pairs is of: 'strategies', 'settings of one strategy' (head_only at two
    learning rates), or 'strategies (or two settings of one)' (:func:`bertlab.paired.family_words`)."""
    words = {r.get("holm_family") for r in pairs if r["holm_pairs"] > 1}
    if words <= {"different strategies", None}:
        return "strategies"
    return "settings of one strategy" if words == {"different settings"} else "strategies (or two settings of one)"


def _add_f1_columns(pairs: list[dict], runs: list[Run]) -> list[dict]:
    """Each pair's macro-F1 gap, its bootstrap interval and its permutation test's p (:func:`paired.compare_f1`,
    as the Compare page's table), added to the rows of :func:`paired.summary_rows`; returns the rows where that
    interval and that test disagree on whether the gap could be zero."""
    data = {r.id: d for r in runs if (d := paired.load_predictions(r)) is not None}
    edge = []
    for r in pairs:
        a, b = data.get(r["a_id"]), data.get(r["b_id"])
        if a is None or b is None:
            continue
        f1 = paired.compare_f1(a["labels"], a["predictions"], b["predictions"])
        r["f1_diff"] = signed(f1.difference, 3)
        r["f1_interval"] = f"{signed(f1.interval[0], 3)} to {signed(f1.interval[1], 3)}"
        r["f1_p"] = paired.format_p(f1.p_value)
        if paired.at_the_edge(f1.p_value, f1.interval):
            edge.append(r)
    return edge


def _machine_section(runs: list[Run], names: dict[str, str]) -> str:
    """Where the numbers were measured, as each run recorded it when it trained (its device, library versions),
    else this machine now, said as such."""
    envs = {json.dumps(e, sort_keys=True): e for r in runs if (e := (r.data_summary or {}).get("environment"))}
    # a run that finished without one is an older bertlab's; one cancelled or failed before it trained has none
    older = sum(1 for r in runs if r.status == "succeeded" and not (r.data_summary or {}).get("environment"))
    if not envs:
        why = "older bertlab" if older else "none of them trained"  # a report of a run cancelled while queued
        return (f"<h2>Machine</h2><p class='muted'>These runs recorded no machine ({why}): this is the machine "
                "that made the report.</p>" + _table([{"k": k, "v": v} for k, v in machine_info().items()],
                                                     [("k", "what"), ("v", "value")]))
    if len(envs) == 1:
        (env,) = envs.values()
        return ("<h2>Machine</h2><p class='muted'>As the runs recorded it when they trained"
                + (f" ({older} older run{'s' * (older > 1)} recorded none)" if older else "") + ".</p>"
                + _table([{"k": k, "v": v} for k, v in env.items()], [("k", "what"), ("v", "value")]))
    keys = list(dict.fromkeys(k for e in envs.values() for k in e))
    rows = [{"run": names[r.id], **(r.data_summary or {}).get("environment", {})} for r in runs]
    return ("<h2>Machines</h2><p class='muted'>These runs trained on different machines or library versions, as "
            "each recorded it.</p>" + _table(rows, [("run", "run"), *((k, k) for k in keys)]))


def _memory_section(runs: list[Run], names: dict[str, str]) -> str:
    """Each run's peak memory, as Compare's peak memory (MiB) column and the Results CSV give it: its own small table
    (the results table fills an A4 page's width), with Compare's note where a figure leaves the encoder out or
    holds a process's set-up."""
    from bertlab.plots import memory_note

    rows = [{"run": names[r.id], "peak": format_bytes(c["peak_memory_bytes"]),
             "of": "GPU memory" if memory_of(r) == "cuda" else "RAM"}
            for r in runs if (c := r.costs or {}).get("peak_memory_bytes")]
    if not rows:
        return ""
    note = memory_note(runs)
    return ("<h2>Memory while training</h2>" + _table(rows, [("run", "run"), ("peak", "peak memory"), ("of", "of")])
            + "<p class='muted'>What training added at its high-water mark, over the level at its start (not what "
              "serving takes: the results table's on disk says that)." + (f" {html.escape(note)}" if note else "")
            + "</p>")


def _strategies_section(runs: list[Run]) -> str:
    """What each strategy of these runs is, in a line: a reader who never saw the app meets the names here."""
    from bertlab.strategies import REGISTRY

    names = [n for n in dict.fromkeys(r.strategy for r in runs) if n in REGISTRY]
    if not names:
        return ""
    return "<h2>The strategies</h2><dl>" + "".join(
        f"<dt>{html.escape(n)}</dt><dd>{html.escape(REGISTRY[n].summary)}</dd>" for n in names) + "</dl>"


def _data_section(runs: list[Run]) -> str:
    seen, out = set(), []
    for r in runs:
        s = r.data_summary or {}
        data = r.config.get("data") or {}
        key = json.dumps([s.get("name"), s.get("sizes"), data.get("seed"), s.get("file_sha256"),
                          data.get("split_column"), data.get("hub_test_split")], sort_keys=True)
        if not s or key in seen:
            continue
        seen.add(key)
        sizes = ", ".join(f"{k} {v:,}" for k, v in (s.get("sizes") or {}).items())
        counts = ", ".join(f"{k}: {v:,}" for k, v in (s.get("train_counts") or {}).items())
        split_seed = (r.config.get("data") or {}).get("seed")
        extra = "".join(f"<br><span class='muted'>{html.escape(t)}</span>" for t in (
            s.get("description"), f"split seed {split_seed}" if split_seed is not None else None,
            f"file SHA-256 {s['file_sha256']}" if s.get("file_sha256") else None) if t)
        out.append(f"<li><b>{html.escape(str(s.get('name')))}</b>: {html.escape(sizes)}; training classes "
                   f"{html.escape(counts)}{extra}</li>")
        if len(out) >= 20:
            out.append("<li>…</li>")
            break
    return "<ul>" + "".join(out) + "</ul>" if out else "<p>no dataset summary recorded</p>"


def figure_png(fig, width: int = 900, height: int = 520) -> bytes:
    """A plotly figure as PNG bytes: with kaleido when installed, else through a headless Chromium (Playwright). The
    caller writes them: an error drawing it (a browser that cannot start) is not one writing the file.

    Raises:
        BertlabError: neither kaleido nor Playwright with a Chromium is available.
    """
    import importlib.util
    import shutil
    import tempfile
    from pathlib import Path

    if importlib.util.find_spec("kaleido") is not None:
        return fig.to_image(format="png", width=width, height=height)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if importlib.util.find_spec("playwright") is None or chromium is None:
        raise BertlabError("PNG export needs kaleido (pip install kaleido) or Playwright with a Chromium; "
                           "write the HTML instead (--html).")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as d:
        page_path = Path(d) / "fig.html"
        fig.write_html(page_path, include_plotlyjs=True, full_html=True, default_width=f"{width}px",
                       default_height=f"{height}px", config={"staticPlot": True})
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            try:
                page = browser.new_page(viewport={"width": width + 20, "height": height + 20})
                page.goto(page_path.as_uri())
                page.wait_for_selector(".main-svg", timeout=30_000)
                return page.locator(".plotly-graph-div").first.screenshot()
            finally:
                browser.close()

"""Cost page: accuracy against training time, compute, trainable weights and money, with the Pareto front,
and the export of a finished run's model."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import streamlit as st

from app_pages import common
from bertlab import answer, paired, pareto, plots, serving, sweep, variants
from bertlab.costs import attention_mix_note
from bertlab.errors import BertlabError
from bertlab.export import DAMAGED, MISSING, artifact_kind, export_model_zip
from bertlab.paths import format_bytes
from bertlab.strategies.base import ENCODER_KINDS

# named as on Compare (pareto.MEASURE_NAMES)
MEASURES = {k: pareto.MEASURE_NAMES[k] for k in ("train_flops", "train_seconds", "trainable_params", "train_money",
                                                 "inference_flops_per_text")}


def choose_runs(runs: list) -> list:
    """One launch or sweep, named as on Compare (the latest launch first); for a sweep, one training size."""
    sweeps = common.sweep_batches()
    # A sweep is its points, as Learning curves plot them: a second seed added later reuses the first seed's runs,
    # which sit in the earlier sweep's batch.
    batches = sweep.batches(common.store(), runs, sweeps)
    latest = common.shown_batch(runs, sweeps)  # Compare's runs or batch, else this desk's newest launch
    batches, titles = common.with_picked(batches, common.mark_yours(common.batch_titles(batches, sweeps)), runs)
    label = common.BATCH_OR_PICKED_LABEL if common.PICKED in batches else common.BATCH_LABEL
    batch = st.selectbox(label, list(batches), index=list(batches).index(latest),
                         format_func=titles.get, help="Or the runs picked on Compare (its Pick runs switch), "
                         "listed first while it is on.")
    chosen = batches[batch]
    datasets = sorted({common.dataset_name(r.dataset) for r in chosen})
    if len(datasets) > 1:
        # runs picked on Compare from two datasets: one front and one table over both set bbc_news's 98% beside
        # rotten_tomatoes' 72% as if the gap were the strategies'
        there = st.segmented_control("Dataset", datasets, default=datasets[0], key=f"pr_data_{batch}",
                                     required=True, help="Accuracy and cost compare strategies on one dataset; "
                                     "these runs are on several.") or datasets[0]
        chosen = [r for r in chosen if common.dataset_name(r.dataset) == there]
    sizes = sorted({n for r in chosen if r.status == "succeeded" and (n := train_size(r)) is not None})
    if len(sizes) > 1:
        # Averaging 32 and 2,048 labels into one point would hide the very thing a sweep measures.
        n = st.select_slider("Training size (labelled examples)", sizes, value=sizes[-1], key=f"pr_size_{batch}",
                             format_func=lambda v: f"{v:,}")
        chosen = [r for r in chosen if train_size(r) == n]
    return sorted(chosen, key=lambda r: r.created)  # launch order, as Compare and the report list them


def train_size(run) -> int | None:
    return ((run.data_summary or {}).get("sizes") or {}).get("train")


def prices() -> pareto.Prices | None:
    common.prices()  # the last prices set in this data directory, in a new session
    c1, c2, c3 = st.columns(3)
    try:
        p = pareto.Prices(
            cpu_hour=c1.number_input("Price per CPU machine-hour", 0.0, 1e5, step=0.01, key="keep_pr_cpu",
                                     on_change=common.mark_price_set, args=("cpu_hour",),
                                     help="What an hour of the whole machine the runs used costs (all its cores), "
                                          "e.g. a cloud VM's hourly price. Compare's serving table, the report and "
                                          "the CSV use these prices too."),
            gpu_hour=c2.number_input("Price per GPU-hour", 0.0, 1e5, step=0.10, key="keep_pr_gpu",
                                     on_change=common.mark_price_set, args=("gpu_hour",)),
            currency=c3.text_input("Currency", max_chars=4, key="keep_pr_cur"),
            # a price nobody changed is said to be the default; one changed is set, even back to the default
            unset=tuple(k for k in pareto.PRICE_NAMES if k not in st.session_state[common.PRICES_SET]))
    except BertlabError as e:
        common.show_error(e)
        return None
    pareto.save_prices(p)
    return p


def tradeoff(runs: list, price: pareto.Prices, top) -> None:
    """The trade-off: its measure, sentences and chart in ``top`` (a container above the prices), then the
    projection and the table under the prices."""
    rows = pareto.by_strategy(pareto.rows_from_runs(runs, price, sweep.unraised_epochs(common.store(), runs)))
    if not rows:
        note, waiting = nothing_to_price(runs)
        top.info(note, icon=":material/hourglass_top:" if waiting else ":material/info:")
        return
    with top:
        rows = chart(runs, rows, price)
    # A comparison on a sample makes training look free ($0.0005 for 500 texts): project it to real volumes.
    projected(runs, rows, price)


def nothing_to_price(runs: list) -> tuple[str, bool]:
    """What the page says where no run of the batch has a result to price, and whether one is still to come. A
    batch whose only run failed read "None of these runs has finished yet." under an hourglass: it had finished,
    and nothing said where to see why or what to do."""
    from bertlab.store import ACTIVE

    counts = Counter(r.status for r in runs)
    waiting = sum(counts[s] for s in ACTIVE)
    if waiting:
        return (f"None of these runs has finished yet: {waiting} still to train. Each one's point appears here as "
                "it finishes.", True)
    ended = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    return (f"None of these runs succeeded ({ended}), so there is nothing to price. Compare says why each one "
            "ended and can run it again; or pick another batch above.", False)


def chart(runs: list, rows: list[dict], price: pareto.Prices) -> list[dict]:
    """The answer: the cost measure, the trade-off's sentences and the Pareto chart. Returns ``rows`` judged as
    the chart judges them (answer.with_flat), for the table."""
    st.session_state.setdefault("keep_pr_measure", "train_flops")
    # One control a row: side by side, at 1024-1280 px the measures ran under Judge by and were cut.
    measure = st.segmented_control("Cost measure", list(MEASURES), key="keep_pr_measure", width="stretch",
                                   format_func=MEASURES.get) or "train_flops"
    default = answer.default_metric(runs)
    # starts from Compare's Judge by (on the same kind of test set), as the report it exports does
    judge = common.judge_by(default, "pr_judge", start=common.compare_judge(default))
    metric = "test_macro_f1" if judge == "macro_f1" else "test_accuracy"
    rows = answer.with_flat(rows, runs, judge)
    lines = pareto.tradeoff_sentences(rows, measure, metric, judge=answer.gain_judge(runs, judge), prices=price)
    for line in lines:
        st.markdown(f"- {line}")
    common.test_words(lines)
    common.chart(common.figure(pareto.pareto_figure, rows, measure, metric, prices=price), width="stretch")
    return rows


def projected(runs: list, rows: list[dict], price: pareto.Prices) -> None:
    """The projection to a number of examples, the cost table and its notes."""
    st.session_state.setdefault("keep_pr_scale", pareto.PROJECT_TO)
    scale = int(st.number_input("Project training to this many examples", 1, 10**9, step=10_000, key="keep_pr_scale",
                                help="What training these strategies on your full labelled data would cost, if "
                                     "time grew in proportion to the examples (same epochs, text lengths and "
                                     "device). A rough guide: Learning curves measure it at several sizes."))
    if raised := [r["strategy"] for r in rows if (r.get("epochs_share") or 1.0) < 1.0]:
        st.caption(f"{', '.join(raised)}: the sweep trained more epochs at this small size than the strategy's own, "
                   "to reach its minimum steps; the projection counts the strategy's own epochs, as training on "
                   "that many examples would.")
    # what a finance reader asks first, before the table's right edge at 1024 px
    columns = ("strategy", "test accuracy", "macro-F1", f"cost at {scale:,}", f"time at {scale:,}",
               "serving per million texts", "cost of one run", "train s", "train FLOPs", "trainable", "inference/text", "runs")
    # In projector mode four tables of three numbers at most (the scores and the projection's cost, its time and
    # serving, this run's own costs, its size): one at 1280 px cut "cost" and hid every column after it, behind a
    # sideways scroll no one does on a projector (as Compare's results table), and two (six numbers, then five)
    # were still 705 and 674 px wide in the 522 px of a 1024-px screen (bbc_news, five strategies).
    groups = ([columns[:4], (columns[0], *columns[4:6]), (columns[0], *columns[6:9]), (columns[0], *columns[9:])]
              if common.projector() else [columns])
    for shown in groups:
        table(rows, price, scale, shown)
    st.caption("Several runs of one strategy at one setting (seeds) are averaged into one point; another setting of it (head_only at lr 0.03 beside lr 0.01, say) is a point of its own. Money = training time x "
               "the price per hour of the device the run used. Inference compute per text = what answering one "
               "text costs the trained model (2 x non-embedding parameters x the test texts' mean tokens, plus "
               "attention over each text's tokens): the "
               "cost of serving it, which training does not change."
               + ("" if all(r["serve_money_per_million"] is not None for r in rows) else
                  " Serving per million texts is known once Compare has timed the runs: press *Measure serving "
                  "speed* under *What serving costs* on Compare."))
    # The figure to quote where runs do the same work per text, and Compare's warning, as Compare says them: the
    # column's per-strategy money alone read lora as 17% cheaper to serve than zero_shot, by noise (a review).
    if note := serving.same_work_note(runs, price, bold="**"):
        st.caption(note)
    if note := attention_mix_note(runs, plots.run_labels(runs)):
        st.caption(note)  # runs stored before FLOPs counted attention, beside runs that count it


def table(rows: list[dict], price: pareto.Prices, scale: int, shown: tuple) -> None:
    """The strategies' scores and costs, in the columns ``shown`` (of the ones :func:`tradeoff` lists)."""
    st.dataframe([{"strategy": r["strategy"], "runs": r["n_runs"],
                   "test accuracy": common.percent(r["test_accuracy"]),
                   "macro-F1": r["test_macro_f1"],
                   "train s": r["train_seconds"], "train FLOPs": pareto.format_cost(r["train_flops"], "train_flops"),
                   "trainable": r["trainable_params"],
                   "cost of one run": pareto.format_cost(r["train_money"], "train_money", price),
                   f"time at {scale:,}": common.seconds(pareto.scaled_to(r, "train_seconds", scale)),
                   f"cost at {scale:,}": pareto.format_cost(pareto.scaled_to(r, "train_money", scale), "train_money",
                                                            price),
                   "inference/text": pareto.format_cost(r["inference_flops_per_text"], "inference_flops_per_text"),
                   "serving per million texts": "not measured" if r["serve_money_per_million"] is None else
                   pareto.format_cost(r["serve_money_per_million"], "train_money", price)}
                  for r in rows],
                 hide_index=True, width="stretch", column_order=shown,
                 column_config={"test accuracy": st.column_config.NumberColumn(format="%.1f%%"),
                                "macro-F1": st.column_config.NumberColumn(format="%.3f"),
                                "train s": st.column_config.NumberColumn(format="%.1f", help=common.TRAIN_TIME_HELP),
                                f"time at {scale:,}": st.column_config.TextColumn(
                                    help="train s, scaled in proportion to this many training examples: a "
                                         "straight line from one small run, so its fixed costs (start-up, "
                                         "the first calls into a library) scale too: from a run of a few hundred "
                                         "texts it overstates. Learning curves measure it at several sizes."),
                                f"cost at {scale:,}": st.column_config.TextColumn(
                                    help="cost of one run, scaled as time at this size is: a rough upper guide."),
                                # not a bare "cost" after "cost at 100,000": this run's own training cost
                                "cost of one run": st.column_config.TextColumn(
                                    help="What training one of these runs cost here (the mean, where the strategy "
                                         "ran several): its training time x the price per hour of its device."),
                                "serving per million texts": st.column_config.TextColumn(
                                    "serving /M texts", alignment="right",
                                    help="What answering a million texts costs, as Compare's serving table says: "
                                         "the texts per second Compare measured x the price per hour of the "
                                         "device that answered. 'not measured': press Measure serving speed "
                                         "under What serving costs on Compare."),
                                "trainable": st.column_config.NumberColumn(format="compact")})


def model_export(runs: list) -> None:
    ok = [r for r in runs if r.status == "succeeded"]
    if not ok:
        return
    st.header("Export a model")  # h2 under the page's h1 (an h3 skipped a level for a screen reader)
    # The most accurate run first: the one people export (not a from-scratch run that learned nothing).
    best = max(range(len(ok)), key=lambda i: (ok[i].metrics or {}).get("test_accuracy") or 0.0)
    by_id = {r.id: r for r in ok}  # the runs this page read (another tab may delete one meanwhile)
    names = variants.labels(ok, data=False)  # "head_only (lr 0.03)" where the runs here hold two settings
    alike = Counter(names.values())  # a name several runs share: they need their size and seed to tell apart

    def title(i: str) -> str:
        """``✓ head_only · c8fe (rotten_tomatoes) · n=512 · seed 1 · 73.2%``: a sweep's runs of one strategy read
        alike ("✓ head_only · c8fe" and "✓ head_only · 2438", 71.6% and 73.2%) where the choice is which to ship."""
        r = by_id[i]
        parts = [common.run_title(r, names)]
        if alike[names[i]] > 1:
            n, seed = paired.train_size(r), (r.config or {}).get("seed")
            parts += ([f"n={n:,}"] if n else []) + ([f"seed {seed}"] if seed is not None else [])
        if (acc := (r.metrics or {}).get("test_accuracy")) is not None:
            parts.append(f"{100 * acc:.1f}%")
        return " · ".join(parts)

    rid = st.selectbox("Run", list(by_id), index=best, format_func=title)
    kind = artifact_kind(common.store(), rid)
    if kind in (MISSING, DAMAGED):  # a deleted folder, a cut-short bertlab_run.json: said now, not after a press
        st.warning(f"This run's saved model is {kind}: there is nothing to zip"
                   + (" (its folder or bertlab_run.json is gone)." if kind == MISSING else
                      " (its bertlab_run.json cannot be read, or files it needs are gone).") + " Train the strategy again to export it.",
                   icon=":material/warning:")
        st.button("Prepare the zip", icon=":material/folder_zip:", disabled=True)
        return
    st.caption({"classifier": "A zip of the run's save_pretrained directory (safetensors): unzip it and load it with "
                              "`AutoModelForSequenceClassification.from_pretrained(dir)`; no bertlab needed. Its "
                              "README has the code, cutting texts at the run's max length as in training.",
                "head": "A zip of the trained head and the frozen encoder it runs on, with a README whose code runs "
                        "them with plain transformers; no bertlab needed.",
                "zero_shot": "A zip of the label embeddings and the encoder, with a README whose code runs them with "
                             "plain transformers; no bertlab needed."}.get(
        kind, "This strategy has no transformers model; the zip holds its weights (safetensors/JSON) and a README."))
    onnx = kind in ("classifier", *ENCODER_KINDS) and st.checkbox(
        "Also as ONNX", key="export_onnx",
        help="The model (head_only, zero_shot: their encoder) as an ONNX graph for ONNX Runtime, CPU serving without "
             "PyTorch, checked against PyTorch's answers before it is zipped; the README has the code. Adds about "
             "the model's size and some seconds.")
    if st.button("Prepare the zip", icon=":material/folder_zip:"):
        try:
            with st.spinner("Zipping" + (" and checking the ONNX graph…" if onnx else "…")):
                st.session_state["pr_zip"] = (rid, onnx, str(export_model_zip(common.store(), rid, onnx=onnx)))
        except BertlabError as e:
            common.show_error(e)
    got = st.session_state.get("pr_zip")  # (run id, with ONNX, zip path): offered for that choice only
    if got and got[:2] == (rid, onnx) and (zipped := Path(got[2])).is_file():
        # in the unit that shows it: a tfidf_logreg zip of ~17 KiB read "(0.0 MiB)"
        st.download_button(f"Download {zipped.name} ({format_bytes(zipped.stat().st_size)})", zipped.read_bytes(),
                           zipped.name, "application/zip", on_click="ignore", icon=":material/download:")


st.title("Accuracy vs cost")
st.caption(f"Is the extra accuracy worth the compute? {pareto.STARS_SAID} Costs count what each run did here; the "
           "pretrained encoder's own pretraining, paid once by its makers and shared by every strategy that starts from it, is not in them.")
all_runs = common.store().list_runs(limit=2000)
if not all_runs:
    st.info("No runs yet: launch some on the Train page.", icon=":material/info:")
else:
    chosen = choose_runs(all_runs)
    # The answer (the measure, the trade-off's sentences and the chart) first, the prices under it, above the table
    # they price: above it, the three inputs and their note put the chart's top at y=756 px at 1366x768 (611 now),
    # though only the Money measure and the table's money columns use them.
    top = st.container()
    price = prices()
    if price is not None:
        # which price each run is charged at: a GPU price set for CPU runs changed nothing, without a word (a review)
        kinds = {pareto.device_kind((r.costs or {}).get("device")) for r in chosen if r.status == "succeeded"}
        if kinds:
            st.caption("Charged at the price per "
                       + (" or ".join(sorted({"CPU machine-hour" if k == "cpu" else "GPU-hour" for k in kinds}))
                          if len(kinds) > 1 else "CPU machine-hour: these runs trained on a CPU, so the GPU price "
                          "does not apply to them" if kinds == {"cpu"} else
                          "GPU-hour: these runs trained on a GPU, so the CPU price does not apply to them")
                       # the figures, a default nobody set in this currency marked as such (EUR 2.50 was $2.50)
                       + f" ({pareto.price_line(price, kinds)})"
                       + (". For a GPU budget from CPU runs, compare their training FLOPs with a GPU's rate."
                          if "cpu" in kinds else "."))
        tradeoff(chosen, price, top)
    model_export(chosen)

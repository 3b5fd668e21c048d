"""Which words decided it: word occlusion over any run, its HTML, the CLI's --explain and the Playground's toggle."""

from __future__ import annotations

import json

import pytest

from bertlab import explain
from bertlab.predict import Predictor
from bertlab.store import SUCCEEDED, RunStore


@pytest.fixture
def tfidf_run(tiny_data, bertlab_home) -> tuple[RunStore, str]:
    """A tfidf_logreg run on the tiny sentiment data: its answer turns on the sentiment words, checkably."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config

    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=tiny_data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    return store, rid


def test_the_word_the_model_weighs_most_gets_the_largest_weight(tfidf_run):
    store, rid = tfidf_run
    # words it never saw in training change nothing when left out (weight 0): the answer rests on "wonderful"
    text = "zqx wonderful vbnm qrtk"
    (e,) = explain.explain(Predictor(store), [rid], text)
    assert e.label == "pos" and e.words == text.split() and len(e.weights) == 4 and not e.capped
    assert max(zip(e.weights, e.words))[1] == "wonderful" and e.weights[1] > 0.05
    assert [round(w, 9) for i, w in enumerate(e.weights) if i != 1] == [0, 0, 0]
    assert e.top() == [("wonderful", e.weights[1])] and e.top(against=True) == []
    # a word against the answer: "awful" in a positive text lowers "pos", so leaving it out raises it
    (e2,) = explain.explain(Predictor(store), [rid], "wonderful superb lovely film but awful")
    assert e2.label == "pos" and e2.top(against=True)[0][0] == "awful" and e2.top(against=True)[0][1] < 0


def test_a_one_word_text_is_weighed_against_the_empty_text(tfidf_run):
    store, rid = tfidf_run
    predictor = Predictor(store)
    (e,) = explain.explain(predictor, [rid], "  dull ")
    assert e.words == ["dull"] and len(e.weights) == 1 and e.label == "neg"
    whole, empty = predictor.predict([rid], ["dull", ""])[0].probs
    c = int(whole.argmax())
    assert e.prob == pytest.approx(whole[c]) and e.weights[0] == pytest.approx(whole[c] - empty[c])
    assert e.weights[0] > 0  # the empty text gets the classes' prior: "dull" is what made it "neg"
    assert explain.explain(predictor, [rid], "   ") == []


def test_a_long_text_weighs_its_first_60_words_and_says_so(tfidf_run):
    store, rid = tfidf_run
    text = " ".join(["the film was good"] * 20)  # 80 words
    (e,) = explain.explain(Predictor(store), [rid], text)
    assert len(e.words) == 80 and len(e.weights) == explain.MAX_WORDS == 60 and e.capped
    assert explain.capped_note(e).startswith("Only the first 60 of this text's 80 words were weighed")
    # words after the cap stay in every variant: shown, but untinted and without a weight
    html_text = explain.text_html(e, explain.shared_scale([e]))
    assert html_text.count("title=") == 60 and html_text.count("<span") == 80
    (short,) = explain.explain(Predictor(store), [rid], "the film was good")
    assert not short.capped and explain.capped_note(short) is None


def test_variants_leave_out_one_word_each_and_split_words_keeps_the_spacing():
    text = "  A  good\tfilm.\n"
    words, spaces = explain.split_words(text)
    assert words == ["A", "good", "film."] and "".join(s + w for s, w in zip(spaces, words)) + spaces[-1] == text
    assert explain.variants(text) == ["good film.", "A film.", "A good"]
    assert explain.variants(text, limit=1) == ["good film."]


def _fake(words: list[str], weights: list[float]) -> explain.Explanation:
    return explain.Explanation("r1", "tfidf_logreg", "pos", 0.9, words, [""] + [" "] * len(words), weights)


def test_the_users_text_is_escaped_never_markup():
    e = _fake(["<script>alert(1)</script>", "good", "<b>x</b>", "'&\""], [0.3, -0.2, 0.0, 0.1])
    out = explain.text_html(e, explain.shared_scale([e]))
    assert "<script>" not in out and "<b>x" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert "&#x27;&amp;&quot;" in out  # no quote can close the tooltip's attribute
    # one diverging scale: for in blue, against in orange, a zero weight untinted; the tooltip gives the points
    assert f"background:{explain.tint(0.3, 0.3)}" in out and explain.tint(0.3, 0.3) == "#67a9cf"
    assert explain.tint(-0.3, 0.3) == "#f1a340" and explain.tint(0.0, 0.3) is None
    assert "title='+30.0 points'" in out and "title='-20.0 points'" in out


def test_one_scale_for_every_run_and_top_words_in_plain_text():
    a, b = _fake(["good", "film"], [0.4, -0.1]), _fake(["good", "film"], [0.04, 0.0])
    scale = explain.shared_scale([a, b])
    assert scale == 0.4
    # the same weight has the same colour in both runs: b's 4 points are pale beside a's 40
    assert explain.tint(0.04, scale) != explain.tint(0.4, scale)
    assert explain.shared_scale([_fake(["x"], [1e-6])]) == explain.MIN_SCALE  # noise stays pale
    assert explain.top_words_line(a) == "for pos: “good” (+40.0); against: “film” (-10.0)"
    assert explain.top_words_line(b) == "for pos: “good” (+4.0); against: none"


def test_top_words_in_plain_text_name_the_word_without_its_punctuation():
    """The Playground's and `predict --explain`'s plain-text list read “charming,” and “film,”: the words are split at
    spaces, punctuation kept on them. The list now names the bare word (as --explain --json does); the tinted text
    keeps it as typed, and a word of punctuation alone or symbols keeps what it has."""
    e = _fake(["A", "charming,", "witty", "\"film.\"", "(so", "good!)", "--", "C++", "don't"],
              [0.01, 0.3, 0.2, 0.25, 0.0, -0.1, -0.2, -0.05, 0.0])
    assert explain.top_words_line(e) == ("for pos: “charming” (+30.0), “film” (+25.0), “witty” (+20.0); against: "
                                         "“--” (-20.0), “good” (-10.0), “C++” (-5.0)")
    assert "charming,</span>" in explain.text_html(e, explain.shared_scale([e]))  # the text as typed
    assert [explain.bare_word(w) for w in ["don't", "¿qué?", "«bien»", "…", "<b>x</b>", "$5,"]] == [
        "don't", "qué", "bien", "…", "<b>x</b>", "$5"]


def test_cli_predict_explain_prints_top_words_and_json_weights(tfidf_run, capsys):
    from bertlab.cli import main

    _, rid = tfidf_run
    assert main(["predict", rid, "zqx wonderful vbnm", "--explain"]) == 0
    out, err = capsys.readouterr()
    assert "pos" in out and "top words for pos: “wonderful” (+" in out
    assert "not the model's reasoning" in err
    assert main(["predict", rid, "zqx, wonderful! vbnm", "--explain"]) == 0
    assert "top words for pos: “wonderful” (+" in capsys.readouterr().out  # it read “wonderful!”
    assert main(["predict", rid, "zqx was wonderful", "--explain", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out.strip())
    assert rec["run_id"] == rid and rec["label"] == "pos" and not rec["capped"]
    assert [w["word"] for w in rec["weights"]] == ["zqx", "was", "wonderful"]
    assert max(rec["weights"], key=lambda w: w["weight"])["word"] == "wonderful"
    # bare words as the plain list names them (it read "charming," here), one per word of the text, in its order
    assert main(["predict", rid, "a charming, \"wonderful\" film -- (zqx)!", "--explain", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out.strip())
    assert [w["word"] for w in rec["weights"]] == ["a", "charming", "wonderful", "film", "--", "zqx"]
    assert rec["words"] == len(rec["weights"]) == 6
    assert main(["predict", rid, " ".join(["good film"] * 40), "--explain"]) == 0
    assert "Only the first 60 of this text's 80 words" in capsys.readouterr().err


def test_playground_toggle_shows_each_runs_tinted_text_escaped_and_its_top_words(tfidf_run):
    from app_pages.common import md
    from tests.test_app_pages import app_on, no_problems

    _, rid = tfidf_run
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("<b>wonderful</b> zqx & vbnm").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    no_problems(at)
    assert not any("Top words" in c.value for c in at.caption)  # off by default: nothing extra is computed
    toggle = at.toggle(key="pg_explain")
    assert toggle.label == "Which words decided it?" and toggle.value is False
    toggle.set_value(True).run()
    no_problems(at)
    tops = [c.value for c in at.caption if c.value.startswith("Top words")]
    # the words as typed (Markdown-escaped: shown literally, never as bold)
    assert len(tops) == 1 and tops[0].startswith(md("Top words for pos: “<b>wonderful</b>” (+")), tops
    tinted = [m.value for m in at.markdown if "points'" in m.value]
    assert len(tinted) == 1 and "&lt;b&gt;wonderful&lt;/b&gt;" in tinted[0] and "<b>wonderful" not in tinted[0]
    assert "&amp;" in tinted[0]
    assert any("against the answer" in m.value and "for the answer" in m.value for m in at.markdown)  # the legend
    assert any("not the model's reasoning" in c.value for c in at.caption)
    # a long text: capped, and said
    at.text_area(key="pg_box_text").set_value(" ".join(["good film"] * 35)).run()
    next(b for b in at.button if b.label == "Predict").click().run()
    no_problems(at)
    assert any("Only the first 60 of this text's 70 words" in c.value for c in at.caption)


def test_a_pasted_text_with_blank_lines_and_a_markdown_label_never_turn_into_markdown(tmp_path, bertlab_home):
    """A blank line in the text ended the tinted text's HTML block: the rest was read as Markdown (a live link,
    italics, a formula) or, indented 4 spaces, shown as raw <span> tags; a label "*good*" was in italics."""
    import pandas as pd
    from markdown_it import MarkdownIt

    from bertlab.config import DataConfig
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config
    from tests.test_app_pages import app_on, no_problems

    texts = [f"wonderful lovely film {i}" for i in range(30)] + [f"awful dull film {i}" for i in range(30)]
    csv = tmp_path / "labels.csv"
    pd.DataFrame({"text": texts, "label": ["*good*"] * 30 + ["[bad](https://evil.example)"] * 30}).to_csv(csv)
    data = DataConfig(source="file", name=str(csv), train_size=None, val_size=None, test_size=None)
    store = RunStore(bertlab_home)
    rid = store.create_run(make_config("tfidf_logreg", data=data), batch_id="b1")
    assert execute_run(store, rid) == SUCCEEDED, store.get(rid).error
    at = app_on("app_pages/playground.py")
    pasted = ("a wonderful film\n\n[click](https://evil.example) was *so* `good`, $5 and $10\r\n\r\n"
              "    indented lovely words\n\n\n> quoted\n")
    at.text_area(key="pg_box_text").set_value(pasted).run()
    next(b for b in at.button if b.label == "Predict").click().run()
    at.toggle(key="pg_explain").set_value(True).run()
    no_problems(at)
    parser = MarkdownIt("commonmark")
    (tinted,) = [m.value for m in at.markdown if "points'" in m.value]
    rendered = parser.render(tinted)
    # one HTML block, passed through as it is: nothing of the text was parsed as Markdown (nor $...$ as LaTeX)
    assert rendered.strip() == tinted.strip() and "<p>" not in rendered, rendered
    assert "\n" not in tinted and tinted.count("<br>") == 6 and "evil.example" in tinted
    (card,) = [m.value for m in at.markdown if " answers <b>" in m.value]
    shown = parser.render(card)
    assert "<em>" not in shown and "<a " not in shown and "<b>*good*</b>" in shown, shown


def test_a_one_word_text_shows_no_weight_against_the_empty_placeholder(tfidf_run, capsys):
    """Its only variant is blank, which the predictor reads as the word "[empty]": head_only on MiniLM weighed
    "great" +62.9 and "awful" +5.6 against it. The page, the CLI and --json say no weight can be computed."""
    from app_pages.common import md
    from bertlab.cli import main
    from tests.test_app_pages import app_on, no_problems

    store, rid = tfidf_run
    (e,) = explain.explain(Predictor(store), [rid], "dull")
    assert e.alone and e.top() == [] and e.top(against=True) == []
    assert explain.top_words_line(e).startswith("none for neg: the text is one word")
    assert "title=" not in explain.text_html(e, 1.0) and explain.shared_scale([e]) == explain.MIN_SCALE
    assert e.to_dict()["weights"] == [{"word": "dull", "weight": None}] and e.to_dict()["note"] == explain.ALONE
    assert main(["predict", rid, "dull", "--explain"]) == 0
    out, err = capsys.readouterr()
    assert "No word weights for a text of one word" in err and "(+" not in out and "(-" not in out
    assert main(["predict", rid, "dull", "--explain", "--json"]) == 0
    rec = json.loads(capsys.readouterr().out.strip())
    assert rec["weights"] == [{"word": "dull", "weight": None}] and rec["words_weighed"] == 0 and "[empty]" in rec["note"]
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value(" wonderful\n").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    at.toggle(key="pg_explain").set_value(True).run()
    no_problems(at)
    assert any(md(explain.ALONE) in c.value for c in at.caption)
    assert not any("Top words" in c.value for c in at.caption) and not any("points'" in m.value for m in at.markdown)
    # two words: weighed as before
    (e2,) = explain.explain(Predictor(store), [rid], "dull film")
    assert not e2.alone and e2.to_dict()["weights"][0]["weight"] is not None


def test_cli_explain_says_the_usual_notes_gives_each_rows_columns_and_caps_a_file(tfidf_run, tmp_path, capsys):
    """--explain returned before predict's notes, its --json lines lacked the --file row the blank-rows note
    promises, and a file of any size cost 61 texts a text per run, unsaid."""
    import pandas as pd

    from bertlab.cli import MAX_EXPLAIN_TEXTS, main

    _, rid = tfidf_run
    assert main(["predict", rid, "zqx vbnm qrtk", "--explain"]) == 0
    err = capsys.readouterr().err
    assert "saw none of the words of 1 text(s) in training (text 1)" in err  # tfidf's note, as without --explain
    table = tmp_path / "texts.csv"
    pd.DataFrame({"id": ["a1", "b2", "c3"], "text": ["a wonderful film", " ", "an awful dull film"]}).to_csv(
        table, index=False)
    assert main(["predict", rid, "--file", str(table), "--explain", "--json"]) == 0
    out, err = capsys.readouterr()
    recs = [json.loads(line) for line in out.splitlines()]
    assert "skipped 1 blank row(s)" in err
    assert [(r["row"], r["id"], r["text"], r["label"]) for r in recs] == [
        (1, "a1", "a wonderful film", "pos"), (3, "c3", "an awful dull film", "neg")]
    many = tmp_path / "many.txt"
    many.write_text("\n".join(f"good film {i}" for i in range(MAX_EXPLAIN_TEXTS + 1)) + "\n", encoding="utf-8")
    assert main(["predict", rid, "--file", str(many), "--explain"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "has 21 texts" in err and "at most 20" in err


def test_playground_explains_a_run_that_joins_alone_and_survives_a_failed_explanation(tfidf_run, tiny_data,
                                                                                       monkeypatch):
    """Cached per whole tuple of runs, each run finishing in a sweep recomputed every run's 61-text pass; and only
    BertlabError was caught, so any other failure took the page down (the predictions beside it catch all)."""
    from bertlab.runner import execute_run
    from bertlab.strategies import make_config
    from tests.test_app_pages import app_on, no_problems

    store, first = tfidf_run
    asked: list[list[str]] = []
    real = explain.explain

    def counted(predictor, run_ids, text, limit=explain.MAX_WORDS):
        asked.append(list(run_ids))
        return real(predictor, run_ids, text, limit)

    monkeypatch.setattr(explain, "explain", counted)
    at = app_on("app_pages/playground.py")
    at.text_area(key="pg_box_text").set_value("a wonderful film, not awful").run()
    next(b for b in at.button if b.label == "Predict").click().run()
    at.toggle(key="pg_explain").set_value(True).run()
    no_problems(at)
    assert asked == [[first]]
    second = store.create_run(make_config("tfidf_logreg", data=tiny_data, seed=1), batch_id="b1")
    assert execute_run(store, second) == SUCCEEDED
    at.run()  # the box reads the store afresh: the new run joins
    no_problems(at)
    assert asked == [[first], [second]]  # the first run's weights were kept
    assert len([c for c in at.caption if c.value.startswith("Top words")]) == 2
    at.run()
    assert asked == [[first], [second]]

    def broken(*_a, **_k):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(explain, "explain", broken)
    at.text_area(key="pg_box_text").set_value("another lovely film").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["explanation failed: RuntimeError: out of memory"]
    assert [m.label for m in at.metric].count("prediction") == 2  # the answers are still shown


def test_cli_explain_of_a_one_word_text_names_no_unit_for_weights_it_did_not_compute(tfidf_run, tmp_path, capsys):
    """Review: `predict RUN --file t.csv --explain` on the text "awful" printed "top words none for neg: the text is
    one word, ... (probability points)": a unit for weights never computed. A text of several words keeps it."""
    from bertlab.cli import main

    store, rid = tfidf_run
    table = tmp_path / "t.csv"
    table.write_text("text\nawful\nzqx wonderful vbnm\n")
    assert main(["predict", rid, "--file", str(table), "--explain"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("top words")]
    assert len(lines) == 2
    assert "one word" in lines[0] and lines[0].endswith("no text to weigh it against")
    assert lines[1].endswith("(probability points)")


def test_a_text_pairs_marker_is_no_word_that_decided_it():
    """A pair task's text is its two texts joined by " [SEP] " (bertlab.textpair): left out, the separator made the
    pair one single text, and a model that answers about pairs listed "[SEP]" as the word that decided it."""
    import numpy as np

    from bertlab.textpair import is_pair

    asked: list[str] = []

    class Answer:
        run_id, strategy, label_names = "r1", "full_ft", ["different", "paraphrase"]

        def __init__(self, probs) -> None:
            self.probs = probs

    class PairModel:  # answers "paraphrase" about a pair, "different" about one text
        def pair_runs(self, run_ids):  # trained on a pair task
            return set(run_ids)

        def predict(self, run_ids, texts):
            asked.extend(texts)
            return [Answer(np.array([[0.1, 0.9] if is_pair(t) else [0.6, 0.4] for t in texts]))]

    (e,) = explain.explain(PairModel(), ["r1"], "A man eats. [SEP] Someone eats.")
    assert e.label == "paraphrase" and e.words[3] == "[SEP]" and len(e.weights) == 6
    assert e.weights == [0.0] * 6 and e.top() == [] and e.top(against=True) == []
    assert all(is_pair(t) for t in asked)  # every variant is still a pair: a word of either text left out
    assert explain.variants("A man eats. [SEP] Someone eats.")[4] == "A man eats. [SEP] eats."

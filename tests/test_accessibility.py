"""Accessibility checks that need no browser: the themes' colours, widget labels for screen readers, and charts
whose runs are told apart without colour. (tests/test_browser_app.py walks the app in a real browser.)"""

from __future__ import annotations

import tomllib
from pathlib import Path

from test_app_plots import _contrast  # WCAG's contrast ratio of two colours (tests/ is on sys.path)

REPO = Path(__file__).resolve().parents[1]


def test_white_text_on_each_themes_primary_colour_reads_and_the_primary_shows_on_its_background():
    """An axe-core audit of the dark theme: the multiselects' chosen tags (Train's strategies, Playground's runs,
    Learning curves' strategies and sizes) and the primary buttons (Predict, Run the sweep) are white on the primary
    colour, which was #56B4E9 there: 2.3:1, under the 4.5:1 text needs (19 of the dark theme's 21 violations). Each
    primary now keeps 4.5:1 under white and 3:1 against its background; links keep 4.5:1 against it."""
    theme = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]
    for name in ("light", "dark"):
        t = theme[name]
        assert _contrast(t["primaryColor"], "#FFFFFF") >= 4.5, (name, t["primaryColor"])
        for background in (t["backgroundColor"], t["secondaryBackgroundColor"]):
            assert _contrast(t["primaryColor"], background) >= 3, (name, background)
        link = t.get("linkColor", t["primaryColor"])
        for background in (t["backgroundColor"], t["secondaryBackgroundColor"]):
            assert _contrast(link, background) >= 4.5, (name, link, background)


def test_the_dark_themes_chosen_segment_is_written_in_a_colour_that_reads_on_its_tint():
    """With the dark primary dark enough for white text on it, the chosen option of a segmented control (Judge by,
    Cost measure: written in the primary on a tint of it, #0F1B27 as axe-core measured) read 3.66:1. The app's style
    block gives it the dark theme's link colour, on the dark theme alone."""
    import re

    from app_pages import common

    link = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["theme"]["dark"]["linkColor"]
    colour = re.search(r"button\[data-selected='true'\] p\{color:(#[0-9A-Fa-f]{6})\}", common.theme_css(True))
    assert colour and colour.group(1).upper() == link.upper() and _contrast(colour.group(1), "#0F1B27") >= 4.5
    assert common.theme_css(False) == ""
    assert "common.theme_css(common.dark_theme())" in (REPO / "app.py").read_text()


WIDGETS = {"button", "download_button", "form_submit_button", "link_button", "page_link", "checkbox", "toggle",
           "radio", "selectbox", "multiselect", "slider", "select_slider", "text_input", "number_input", "text_area",
           "date_input", "time_input", "file_uploader", "color_picker", "segmented_control", "pills", "feedback",
           "camera_input", "audio_input"}


def _widget_calls():
    """(file, line, widget, label node or None) of each Streamlit widget call in app.py and app_pages/."""
    import ast

    for path in [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS:
                label = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "label"), None)
                if node.func.attr == "page_link":  # its first argument is the page; the label is a keyword
                    label = next((k.value for k in node.keywords if k.arg == "label"), None)
                yield path.name, node.lineno, node.func.attr, label


def _blank(label) -> bool:
    """Whether a label node is certainly empty for a screen reader: missing, or a string of spaces alone (an
    f-string with no words around its values counts as blank, as its values may be empty)."""
    import ast

    if label is None:
        return True
    if isinstance(label, ast.Constant):
        return not isinstance(label.value, str) or not label.value.strip()
    if isinstance(label, ast.JoinedStr):
        return not "".join(v.value for v in label.values if isinstance(v, ast.Constant)).strip()
    return False  # a name or a call: its value is checked where it is built


def test_every_widget_has_a_label_a_screen_reader_can_read():
    """Every input is named to a screen reader by its label, also where label_visibility="collapsed" hides it on the
    screen (Data's Source, Compare's Loss against and Per-class measure: "radiogroup 'Source'" in the browser's
    accessibility tree). A widget written with an empty label, or none, is an unnamed control; zero_shot's label
    sentences were labelled f"{lab}", the class name alone (blank for a class named by spaces, and "pos, edit text"
    read out of context): "Sentence for pos" now."""
    calls = list(_widget_calls())
    assert len(calls) > 50  # the walk found the app's widgets
    blank = [(f, line, w) for f, line, w, label in calls if _blank(label)]
    assert not blank, blank


def _run(strategy: str, run_id: str):
    from bertlab.store import Run

    return Run(id=run_id, batch_id="b1", created=1.0, status="succeeded", strategy=strategy, dataset="d",
               model="minilm", config={"epochs": 3}, metrics={"test_accuracy": 0.8, "test_macro_f1": 0.75},
               costs={"train_seconds": 10.0 + len(run_id), "train_flops": 1e12}, data_summary={})


def _points(runs) -> list[dict]:
    out = []
    for r in runs:
        for i in range(1, 31):
            out.append({"run_id": r.id, "series": "train_loss", "step": i, "x": i / 10, "value": 1 / (i + 1)})
            if i % 10 == 0:
                out += [{"run_id": r.id, "series": s, "step": i, "x": i / 10, "value": v}
                        for s, v in (("val_loss", 0.5), ("val_accuracy", 0.7))]
    return out


def _looks(fig) -> dict[str, set]:
    """Each legend name's (marker, dash) over its drawn lines (a smoothed curve's faint raw line, markerless and
    named alike, is left out)."""
    looks: dict[str, set] = {}
    for t in fig.data:
        if "markers" in (t.mode or ""):
            looks.setdefault(t.name, set()).add((t.marker.symbol, t.line.dash if "lines" in t.mode else None))
    return looks


def _strategy_sets():
    from bertlab import plots
    from bertlab.strategies import REGISTRY

    return {"every strategy once": [_run(s, f"{s}-0001") for s in REGISTRY],
            "one strategy's seeds, as many as a chart draws": [_run("head_only", f"run-{i:04d}")
                                                              for i in range(plots.CHARTED)]}


def test_runs_on_the_curves_are_told_apart_without_colour():
    """Colour-blind viewers (Machado 2009 deuteranopia: full_ft's #D55E00 and partial_ft's #BD8300 3.1 apart in
    CIELAB, under 10; protanopia: 10.8) and a greyscale projector tell the runs on Compare's curves apart by marker
    (one per strategy) and dash (one per run of a strategy). Five dashes cycled: a strategy's sixth seed drew its
    first's line exactly. Every run a chart draws (plots.CHARTED) now has its own (marker, dash)."""
    from bertlab import plots

    for what, runs in _strategy_sets().items():
        for fig in (plots.train_loss_figure(runs, _points(runs)), plots.validation_figure(runs, _points(runs))):
            looks = _looks(fig)
            assert len(looks) == len(runs) and all(len(v) == 1 for v in looks.values()), (what, looks)
            assert len({next(iter(v)) for v in looks.values()}) == len(runs), (what, looks)


def test_accuracy_against_cost_marks_each_strategy_with_its_own_marker():
    """Compare's accuracy-vs-cost scatter drew every run as a circle told apart by colour alone (with its name
    beside it, or away from it on a crowded chart): full_ft and partial_ft alike under deuteranopia. Each run now has
    its strategy's marker, the one its curves have."""
    from bertlab import plots
    from bertlab.strategies import REGISTRY

    runs = _strategy_sets()["every strategy once"]
    fig = plots.tradeoff_figure(runs)
    symbols = {t.name: t.marker.symbol for t in fig.data if t.name in REGISTRY}
    assert symbols == {s: plots.strategy_symbol(s) for s in REGISTRY}
    assert len(set(symbols.values())) == len(REGISTRY)


def test_the_pages_headings_skip_no_level():
    """axe-core's heading-order on Compare (its sections were h4 straight under the page's h1: "#### Results"),
    Learning curves (the same) and Strategy cards (the card's plain words an h5 under its h2, its summary an h4):
    a screen reader's list of headings skipped two levels. The pages write an h1 (st.title), h2s (st.header,
    common.section) and no markdown heading of their own ("### ..." and deeper)."""
    import ast

    deep = []
    for path in [REPO / "app.py", *sorted((REPO / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.lstrip().startswith("###"):
                deep.append((path.name, node.lineno, node.value[:40]))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "subheader":
                deep.append((path.name, node.lineno, "st.subheader (h3)"))
    assert not deep, deep


def test_a_link_with_the_keyboards_focus_is_ringed():
    """Keyboard only: Tab to the menu's Compare, or to Data's "Next: choose strategies and launch", showed focus by
    a pale grey background alone (as on hover; the menu marks the current page alike). The app's style block rings a
    focused link in the text colour, as Streamlit rings a focused button (2 px outline, in Chromium, both themes)."""
    import re

    from test_pages_sweep import app_on, no_problems  # the same AppTest helpers (tests/ is on sys.path)

    from app_pages import common

    at = app_on("app_pages/playground.py")
    no_problems(at)
    assert any(common.FOCUS_CSS in h.proto.body for h in at.get("html"))
    rule = re.search(r"a:focus-visible\{([^}]*)\}", common.FOCUS_CSS)
    assert rule and re.search(r"outline:\s*2px solid currentColor", rule.group(1))


def test_a_section_is_an_h2_and_a_cards_lead_a_paragraph():
    """Mutation round 7: common.section's heading is an h2 under the page's h1 (an h4 there skipped two levels in a
    screen reader's outline: axe-core's heading-order), and the card's lead words a paragraph, not a heading."""
    import re

    from app_pages import common

    assert re.fullmatch(r"<h2 style='[^']*'>Results</h2>", common.section_html("Results"))
    assert re.fullmatch(r"<p style='[^']*font-size:1\.25rem[^']*'>Fine-tune it</p>",
                        common.lead_html("Fine-tune it", "1.25rem"))


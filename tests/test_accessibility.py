"""Accessibility checks that need no browser: the themes' colours, widget labels for screen readers, and charts
whose runs are told apart without colour. (tests/test_browser_app.py walks the app in a real browser.)"""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _contrast(a: str, b: str) -> float:
    def lum(c: str) -> float:
        ch = [int(c.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


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

"""Which words decided it: word occlusion (leave one word out) for any finished run.

Model-agnostic, so every strategy is explained the same way, through :meth:`Predictor.predict`: for a text of n
words the predictor is asked once, for all runs together, about the text and the n texts with one word removed
(frozen-encoder runs share that pass as they share any other). A word's weight is the drop in the probability of
the class the run predicted for the whole text when the word is removed: positive, the word supported the answer;
negative, it spoke against it. The baseline is always the text without the word: a text of one word has none (the
predictor reads an empty text as the word ``[empty]``), so its weight is computed but never shown (:data:`ALONE`).

It is a sketch of one method, not the model's reasoning: removing a word also makes a sentence no one wrote, and
words that only count together (``not good``) get little weight each.

Only the first MAX_WORDS words are left out in turn (the rest of the text stays in every variant), so a long text
costs at most MAX_WORDS + 1 texts per run. Measured on this 2-vCPU machine (CPU), 4 runs of the packaged MiniLM
at max_length 64 (zero_shot, head_only, full_ft) and tfidf_logreg, warm, median of 5: an 18-word review took 0.16 s
through ONNX Runtime (the app's backend) and 0.17 s in PyTorch; a 60-word text 1.44 s through ONNX Runtime and
0.57 s in PyTorch (ONNX Runtime answers one text faster, a batch of 61 slower). The first explanation after a model
loads adds its warm-up.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from bertlab.textpair import PAIR_SEP

MAX_WORDS = 60  # words left out in turn; a longer text keeps its other words in every variant, and is said capped
TOP = 3  # words for and against listed in plain text
# One diverging scale, colour-blind safe (blue for, orange against: ColorBrewer PuOr/RdBu ends), light enough for
# dark text on it (contrast over 7:1 with #111 at the strongest tint), so it reads the same on a dark theme.
FOR_RGB = (103, 169, 207)
AGAINST_RGB = (241, 163, 64)
BASE_RGB = (247, 247, 247)
MIN_SCALE = 0.02  # a scale of at least 2 points: weights all near 0 stay pale, not noise blown up to full colour
FAINT = 0.1  # a word under this share of the scale gets no tint at all

METHOD = ("each word is left out in turn and the model answers again: a word's weight is how many points the "
          "probability of its answer drops without it (positive: the word supported the answer; negative: it spoke "
          "against it). A sketch of one method, not the model's reasoning: leaving a word out also makes a new "
          "sentence, and words that only count together (\"not good\") get little weight each.")
ALONE = ("No word weights for a text of one word: leaving its only word out leaves no text, and the models read an "
         "empty text as the word \"[empty]\", so the drop would weigh the word against \"[empty]\", not measure "
         "the word. Type a few words to see which decided it.")


@dataclass
class Explanation:
    """One run's word weights for one text."""

    run_id: str
    strategy: str
    label: str  # the class the run predicted for the whole text
    prob: float  # its probability
    words: list[str]  # every word of the text (split at whitespace), in order
    spaces: list[str]  # the whitespace before each word (and spaces[-1] after the last one: len(words) + 1)
    weights: list[float]  # for the first min(len(words), MAX_WORDS) words: the drop in ``prob`` without it

    @property
    def alone(self) -> bool:
        """A text of one word: its only variant is blank, read as ``[empty]``, so its weight is no honest measure
        (``head_only`` on MiniLM: "great" +62.9 points, "awful" +5.6, both against the word "[empty]"): shown
        nowhere, :data:`ALONE` said instead."""
        return len(self.words) == 1

    @property
    def capped(self) -> bool:
        """Only the first MAX_WORDS words were weighed."""
        return len(self.words) > len(self.weights)

    def top(self, k: int = TOP, against: bool = False) -> list[tuple[str, float]]:
        """The ``k`` words that most supported the answer (or, with ``against``, spoke most against it), with their
        weights; only words whose weight has that sign (none for a text of one word: :attr:`alone`)."""
        if self.alone:
            return []
        pairs = [(w, x) for w, x in zip(self.words, self.weights) if (x < 0 if against else x > 0)]
        return sorted(pairs, key=lambda t: t[1] if against else -t[1])[:k]

    def to_dict(self) -> dict:
        """As ``predict --explain --json`` prints it; a text of one word gets weight null and a ``note`` why. Each
        word is bare (:func:`bare_word`), as the plain-text list names it: the JSON read "charming," where the list
        said “charming”; the list keeps one entry per word of the text, in its order."""
        return {"run_id": self.run_id, "strategy": self.strategy, "label": self.label, "probability": self.prob,
                "capped": self.capped, "words_weighed": 0 if self.alone else len(self.weights),
                "words": len(self.words),
                "weights": [{"word": bare_word(w), "weight": None if self.alone else round(x, 6)}
                            for w, x in zip(self.words, self.weights)],
                **({"note": ALONE} if self.alone else {})}


def split_words(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` (split at whitespace, punctuation kept on its word) and the whitespace around them,
    so ``"".join(s + w for s, w in zip(spaces, words)) + spaces[-1] == text``."""
    words, spaces, at = [], [], 0
    for m in re.finditer(r"\S+", text):
        spaces.append(text[at:m.start()])
        words.append(m.group())
        at = m.end()
    spaces.append(text[at:])
    return words, spaces


def is_marker(word: str) -> bool:
    """Whether ``word`` is the marker joining a text pair's two texts (bertlab.textpair), no word of either: left
    out, the pair would read as one single text, a change of task rather than of words."""
    return word == PAIR_SEP.strip()


def variants(text: str, limit: int = MAX_WORDS, pairs: bool = True) -> list[str]:
    """``text`` without each of its first ``limit`` words in turn (single spaces between the words left); for runs
    that read pairs (``pairs``), a text pair's marker (:func:`is_marker`) stays in every variant, its own the whole
    text (its weight is 0); a single-text run's literal ``[SEP]`` is a word like any other."""
    words, _ = split_words(text)
    return [" ".join(words[:i] + words[i + (not (pairs and is_marker(words[i]))):])
            for i in range(min(len(words), limit))]


def explain(predictor, run_ids: list[str], text: str, limit: int = MAX_WORDS) -> list[Explanation]:
    """Each run's word weights for ``text``, in ``run_ids``' order: one :meth:`Predictor.predict` call for the
    text and its one-word-out variants, for all runs together.

    A text of one word is weighed against the empty text, which the predictor reads as the word ``[empty]``: no
    measure of the word, so :attr:`Explanation.alone` marks it and nothing shows that weight.

    Raises:
        BertlabError: as :meth:`Predictor.predict` (a run that cannot load).
    """
    words, spaces = split_words(text)
    if not words:
        return []
    # the whole text as the variants have it (single spaces), so a word's weight is its own, not the spacing's
    whole = " ".join(words)
    # runs trained on a pair task keep a [SEP] in every variant; single-text runs weigh it as a word (one call for
    # each kind present, one for all where the text holds no [SEP])
    pair_runs = predictor.pair_runs(run_ids) if any(map(is_marker, words)) else set()
    groups = [(ids, keep) for keep, ids in ((True, [r for r in run_ids if r in pair_runs]),
                                            (False, [r for r in run_ids if r not in pair_runs])) if ids]
    out = {}
    for ids, keep in groups:
        for p in predictor.predict(ids, [whole, *variants(text, limit, keep)]):
            c = int(p.probs[0].argmax())
            base = float(p.probs[0, c])
            # a pair's marker is no word: weight 0, never listed (its variant is the whole text, answered alike)
            out[p.run_id] = Explanation(p.run_id, p.strategy, p.label_names[c], base, words, spaces,
                                        [0.0 if keep and is_marker(w) else base - float(x)
                                         for w, x in zip(words, p.probs[1:, c])])
    return [out[r] for r in run_ids]


def shared_scale(explanations: list[Explanation]) -> float:
    """The largest weight in absolute value over every run (at least MIN_SCALE): one scale for all, so a pale word
    means the same in every run; a text of one word's weight (:attr:`Explanation.alone`) does not count."""
    return max([MIN_SCALE, *(abs(x) for e in explanations if not e.alone for x in e.weights)])


def tint(weight: float, scale: float) -> str | None:
    """The background colour for ``weight`` on the shared ``scale``: blue for, orange against, deeper the larger;
    None for a weight too small to see (or a word not weighed)."""
    share = min(1.0, abs(weight) / scale)
    if share < FAINT:
        return None
    end = FOR_RGB if weight > 0 else AGAINST_RGB
    r, g, b = (round(a + (e - a) * share) for a, e in zip(BASE_RGB, end))
    return f"#{r:02x}{g:02x}{b:02x}"


def points(weight: float) -> str:
    """A weight in probability points, signed: ``+12.3``."""
    return f"{weight * 100:+.1f}"


def _space_html(space: str) -> str:
    """The whitespace between two words on one line: a line break as ``<br>`` (two at most: a paragraph gap).

    The tinted text goes into Markdown as one HTML block, and a blank line ends that block: the rest of a pasted
    text was read as Markdown (a live ``[link](...)``, ``*italics*``, ``$formulas$``), or shown as raw ``<span>``
    tags where a line after it was indented 4 spaces (a code block)."""
    breaks = min(len(re.findall(r"\r\n|\r|\n", space)), 2)
    return "<br>" * breaks if breaks else html.escape(space)


def text_html(e: Explanation, scale: float) -> str:
    """The text with each weighed word's background tinted by its weight (HTML-escaped: the user's text never
    becomes markup), on one line (line breaks as ``<br>``), so Markdown reads all of it as one HTML block and
    never parses the user's text as Markdown. Each tinted word carries its weight as a tooltip."""
    parts = []
    for i, (space, word) in enumerate(zip(e.spaces, e.words)):
        parts.append(_space_html(space) if i else "")  # the text's leading whitespace shows nothing in HTML
        weight = e.weights[i] if i < len(e.weights) and not e.alone else None
        colour = tint(weight, scale) if weight is not None else None
        if colour is None:
            title = "" if weight is None else f" title='{points(weight)} points'"
            parts.append(f"<span{title}>{html.escape(word)}</span>")
        else:
            parts.append(f"<span title='{points(weight)} points' style='background:{colour};color:#111;"
                         f"border-radius:0.2em;padding:0 0.15em'>{html.escape(word)}</span>")
    return "".join(parts)


def legend_html(scale: float) -> str:
    """The shared scale's legend: against at the left, for at the right, with the points at each end."""
    steps = [-1.0, -0.5, 0.0, 0.5, 1.0]
    cells = "".join(f"<span style='display:inline-block;width:2.2em;height:1em;vertical-align:middle;"
                    f"background:{tint(s * scale, scale) or '#f7f7f7'};border:1px solid #999'></span>" for s in steps)
    return (f"<span>against the answer ({points(-scale)} points)</span> {cells} "
            f"<span>for the answer ({points(scale)} points)</span>")


def bare_word(word: str) -> str:
    """``word`` without the punctuation the whitespace split leaves on it ('charming,' -> 'charming', '"film."' ->
    'film'), as the plain-text list names it; the word itself where it is all punctuation ('...', '--'). Symbols
    stay ('<b>', 'C++', '$5', an emoji): only Unicode punctuation (categories P*) is taken off, and only at its ends
    ("don't" keeps its apostrophe)."""
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[start:end] or word


def top_words_line(e: Explanation) -> str:
    """The top words for and against in plain text (for screen readers, and the CLI), without the punctuation
    attached to them (:func:`bare_word`: it read “charming,” and “film,”); the tinted text keeps them as typed."""
    def listed(pairs: list[tuple[str, float]]) -> str:
        return ", ".join(f"“{bare_word(w)}” ({points(x)})" for w, x in pairs) or "none"

    if e.alone:
        return f"none for {e.label}: the text is one word, and leaving it out leaves no text to weigh it against"
    return f"for {e.label}: {listed(e.top())}; against: {listed(e.top(against=True))}"


def end_readers(predictor, run_ids: list[str], text: str) -> dict[str, int]:
    """{run id: the last tokens it reads} for the runs among ``run_ids`` that cut ``text`` to its start and end
    (RunConfig.truncation "head_tail", :meth:`Predictor.head_tail_runs`): the words they read at its end lie past the
    first MAX_WORDS weighed, where the text is capped."""
    ends = predictor.head_tail_runs(run_ids)
    cut = predictor.cut_texts([r for r in run_ids if r in ends], text) if ends else {}
    return {r: m - m // 4 for r, (_, m) in cut.items()}


def capped_note(e: Explanation, ends: dict[str, int] | None = None, names: dict[str, str] | None = None) -> str | None:
    """Say that only the first MAX_WORDS words were weighed, where so; and, of the runs in ``ends``
    (:func:`end_readers`, named by ``names``), that they also read the text's end, whose words no weight is shown
    for: their top words were only ever of the text's start."""
    if not e.capped:
        return None
    note = (f"Only the first {len(e.weights)} of this text's {len(e.words):,} words were weighed (each left out in "
            "turn, the rest kept), to stay fast.")
    if ends:
        who = ", ".join((names or {}).get(r, r) for r in ends)
        tails = " or ".join(str(n) for n in sorted(set(ends.values())))
        note += (f" {who} also read{'s' if len(ends) == 1 else ''} the text's end (its last {tails} tokens: head+tail "
                 "truncation), and no word of it was weighed: what decided "
                 f"{'its' if len(ends) == 1 else 'their'} answer may be there, not in the words shown.")
    return note

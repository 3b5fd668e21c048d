"""Classification metrics: accuracy, macro-F1, per-class precision/recall, confusion."""

from __future__ import annotations

from collections import Counter

import numpy as np


def classification_report(y_true: list[int] | np.ndarray, y_pred: list[int] | np.ndarray,
                          label_names: list[str]) -> dict:
    """All final metrics for one split.

    Returns:
        dict with accuracy, macro_f1, per_class {name: {precision, recall, f1, support}},
        confusion (rows = true, cols = predicted) and majority_accuracy.
    """
    yt = np.asarray(y_true, dtype=int)
    yp = np.asarray(y_pred, dtype=int)
    k = len(label_names)
    conf = np.zeros((k, k), dtype=int)
    np.add.at(conf, (yt, yp), 1)
    tp = np.diag(conf).astype(float)
    pred_n = conf.sum(0).astype(float)
    true_n = conf.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(k), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(k), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(k), where=(prec + rec) > 0)
    present = true_n > 0
    n = len(yt)
    return {
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {
            name: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                   "support": int(true_n[i])}
            for i, name in enumerate(label_names)
        },
        "confusion": conf.tolist(),
        "majority_accuracy": (Counter(yt.tolist()).most_common(1)[0][1] / n) if n else 0.0,
    }


def accuracy(y_true, y_pred) -> float:
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    return float((yt == yp).mean()) if len(yt) else 0.0

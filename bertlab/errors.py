"""Error types for mistakes a user can make.

Every error here is a ``ValueError`` so callers (UI, CLI) can catch one family
and show its message; the message names the field, the value and what to do.
"""

import os
import shutil


class BertlabError(ValueError):
    """Base class for user-facing errors."""


class DataError(BertlabError):
    """A dataset, file or column problem."""


class ColumnChoiceError(DataError):
    """Which column holds the text (``column`` "text") or the labels ("label") cannot be told from the data: the
    user must name it. The message says so in words; each front end adds how (the app's column pickers, the
    CLI's ``--text-column`` / ``--label-column``).

    Attributes:
        column: "text" or "label".
        choices: the columns that could be it, where there are several.
        starts_at: the (text, label) columns to start from (:func:`bertlab.data.files.fallback_columns`: the
            likeliest label, not an id), where the detection worked them out.
        own_text: the column the message says holds a value of each row's own (a summary, an answer, an id), where
            it says so; None otherwise.
    """

    def __init__(self, message: str, column: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.choices = list(choices or [])
        self.starts_at: tuple[str, str] | None = None
        self.own_text: str | None = None


class OwnTextLabelError(DataError):
    """A label column with a different value for each text (a summary's, an answer's column taken as the label):
    each would be a class of one text."""


class RareClassError(DataError):
    """Classes with too few examples to split (``classes``: their names), which ``drop_rare`` can leave out where
    two classes or more would be left (``can_leave_out``)."""

    def __init__(self, message: str, classes: list[str], can_leave_out: bool = True) -> None:
        super().__init__(message)
        self.classes = list(classes)
        self.can_leave_out = can_leave_out


class ConfigError(BertlabError):
    """A bad hyperparameter or option."""


class ModelError(BertlabError):
    """A model id or directory that cannot be used."""


class StoreError(BertlabError):
    """The data directory cannot be written (read-only, full, missing permissions), or its run store is damaged."""


FULL_BELOW = 2**20  # free bytes under which a data directory is full: SQLite cannot grow its -wal and -shm files


def unwritable_reason(e: BaseException, root=None) -> str | None:
    """Why ``e`` (the OS's or SQLite's error) says a data directory cannot be written, in words: "it is full",
    "it is read-only or not yours to write", or None where it says something else (a lock held too long).

    SQLite says "disk I/O error" (or "unable to open") of a full disk as of a read-only one: it cannot grow the
    files it reads a store through. With the directory ``root``, such an error is "it is full" where the directory
    may be written (``os.access``: a read-only mount or another's folder may not) but has under :data:`FULL_BELOW`
    bytes free; a full disk was called read-only, and told to be made writable."""
    text = (e.strerror if isinstance(e, OSError) and e.strerror else str(e)).lower()  # the reason, not the path
    if "disk is full" in text or "no space" in text:
        return "it is full"
    if any(k in text for k in ("unable to open", "disk i/o error")) and root is not None and _full(root):
        return "it is full"
    if any(k in text for k in ("read-only", "readonly", "permission", "unable to open", "disk i/o error")):
        return "it is read-only or not yours to write"
    return None


def _full(root) -> bool:
    try:
        return os.access(root, os.W_OK) and shutil.disk_usage(root).free < FULL_BELOW
    except (OSError, ValueError):
        return False


def store_message(root, e: BaseException) -> str:
    """What to do when the data directory ``root`` cannot be written, from the OS's or SQLite's reason ``e``."""
    why = unwritable_reason(e, root) or (e.strerror if isinstance(e, OSError) and e.strerror else str(e)).lower()
    # "free some space" fits a full disk only (a review: said of a read-only folder)
    do = ("free some space, or point" if why == "it is full" else
          "make it writable, or point" if why.startswith("it is read-only") else "point")
    return (f"cannot write the data directory {str(root)!r} ({why}). Runs, models and caches are kept there: "
            f"{do} BERTLAB_HOME at a folder you can write and restart (BERTLAB_HOME=/path/to/folder make run).")


def damaged_store_message(path, e: BaseException) -> str:
    """What to do when the run store at ``path`` is not a database SQLite can read (``e``: its reason)."""
    return (f"the run store {str(path)!r} is damaged and cannot be read ({str(e).lower()}). Move it aside (rename it, "
            "e.g. to runs.sqlite.damaged) and restart to begin a new, empty list of runs: the saved models beside it "
            "in runs/ are left on disk. Or point BERTLAB_HOME at another folder and restart.")


class RunCancelled(Exception):
    """Raised inside a run when the user asked it to stop (not an error)."""

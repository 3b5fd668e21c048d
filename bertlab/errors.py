"""Error types for mistakes a user can make.

Every error here is a ``ValueError`` so callers (UI, CLI) can catch one family
and show its message; the message names the field, the value and what to do.
"""


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
    """

    def __init__(self, message: str, column: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.choices = list(choices or [])


class ConfigError(BertlabError):
    """A bad hyperparameter or option."""


class ModelError(BertlabError):
    """A model id or directory that cannot be used."""


class RunCancelled(Exception):
    """Raised inside a run when the user asked it to stop (not an error)."""

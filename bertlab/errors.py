"""Error types for mistakes a user can make.

Every error here is a ``ValueError`` so callers (UI, CLI) can catch one family
and show its message; the message names the field, the value and what to do.
"""


class BertlabError(ValueError):
    """Base class for user-facing errors."""


class DataError(BertlabError):
    """A dataset, file or column problem."""


class ConfigError(BertlabError):
    """A bad hyperparameter or option."""


class ModelError(BertlabError):
    """A model id or directory that cannot be used."""


class RunCancelled(Exception):
    """Raised inside a run when the user asked it to stop (not an error)."""

"""Strategy registry. Importing this package registers every built-in strategy."""
# ruff: noqa: I001  (import order = registration order = display order)

from bertlab.strategies.base import (REGISTRY, RunContext, RunOutput, Strategy, get_strategy, make_config,
                                     one_answer_reason, one_class_advice, rate_too_high, register,
                                     seeded_configs)
from bertlab.strategies import embedding_based, full_ft, scratch  # noqa: F401  (registration side effect)
from bertlab.strategies import dapt, lora, partial_ft, tfidf_logreg  # noqa: F401  (registration side effect)

__all__ = ["REGISTRY", "RunContext", "RunOutput", "Strategy", "get_strategy", "make_config",
           "one_answer_reason", "one_class_advice", "rate_too_high", "register",
           "seeded_configs"]

"""Answering supporters' questions from the campaign pack.

The engine and its libraries load when first asked for, so a process that never
answers a question (or has not yet) does not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.knowledge.engine import MAX_ANSWER, Answer, AnswerEngine, LearnedAnswer

__all__ = ["MAX_ANSWER", "Answer", "AnswerEngine", "LearnedAnswer"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.knowledge import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

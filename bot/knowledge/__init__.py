"""Answering supporters' questions from the campaign pack."""

from bot.knowledge.engine import MAX_ANSWER, Answer, AnswerEngine, LearnedAnswer

__all__ = ["MAX_ANSWER", "Answer", "AnswerEngine", "LearnedAnswer"]

"""Every weight and threshold of the answer engine, in one typed place.

The learned ranker's decline threshold is not set here: `mobilise train` chooses it by
cross-validation across the question files and stores it with the trained model. What is
here is either a training setting or a rule's documented constant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class RankerConfig:
    # Softmax regression over [question embedding; closest example of each class].
    l2: float = 1e-4
    iterations: int = 400
    step: float = 0.05  # Adam's step size
    similarity_weight: float = 1.0  # scale of the "closest example per class" features
    # Decline thresholds tried by cross-validation (the model's top probability).
    thresholds: tuple[float, ...] = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
    # An organiser's answer is given for a question this close (cosine) to the one it
    # answered, before the ranker is retrained with it (a rewording of the same question
    # scores about 0.8; another question about the candidate's views about 0.6).
    learned_match: float = 0.75
    # A second passage is mentioned when its probability is at least this share of the
    # first's.
    close_second: float = 0.5
    # How much probability makes the learned ranker sure of a class: sure, it overrules
    # the date rule when it gives this to "decline" or to a manifesto or interview
    # passage; unsure, it gives way when BM25 and the sentence model put one passage first.
    date_overrule: float = 0.5
    # Within a section, a line is chosen over the overview when it is closer to the
    # question by at least this much (cosine).
    line_margin: float = 0.05

    def key(self) -> str:
        """A stable text of the settings that change what training produces."""
        fields = asdict(self)
        return ";".join(f"{name}={fields[name]}" for name in sorted(fields))


DEFAULT = RankerConfig()

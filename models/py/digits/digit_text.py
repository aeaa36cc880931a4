"""Random digit strings as people say them: lengths, "oh" versus "zero", and phone-style grouping.

The same generator feeds the training sampler, the TTS string synthesis and the eval sets, so
all three agree on what a "digit string" looks like.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .vocab import DIGIT_TO_WORD

# Groupings people use when reading numbers aloud (phone numbers, card codes, PINs).
COMMON_GROUPINGS: dict[int, tuple[tuple[int, ...], ...]] = {
    4: ((2, 2),), 6: ((3, 3), (2, 2, 2)), 7: ((3, 4),), 8: ((4, 4),), 9: ((3, 3, 3),),
    10: ((3, 3, 4),), 11: ((1, 3, 3, 4), (3, 4, 4)), 12: ((4, 4, 4), (2, 3, 3, 4)),
}


@dataclass(frozen=True)
class SpokenString:
    digits: str
    words: tuple[str, ...]  # as spoken: "oh" or "zero" for 0
    groups: tuple[int, ...]  # word counts per spoken group; (n,) when read without grouping

    @property
    def transcript(self) -> str:
        return " ".join(self.words)


def random_digits(rng: np.random.Generator, min_len: int, max_len: int) -> str:
    n = int(rng.integers(min_len, max_len + 1))
    return "".join(str(d) for d in rng.integers(0, 10, size=n))


def zero_words(rng: np.random.Generator, count: int, style: str | None = None) -> list[str]:
    """How each 0 is said. A speaker usually sticks to one habit, sometimes mixes."""
    style = style or rng.choice(["zero", "oh", "mixed"], p=[0.45, 0.4, 0.15])
    if style == "mixed":
        return ["oh" if rng.random() < 0.5 else "zero" for _ in range(count)]
    return [str(style)] * count


def random_grouping(rng: np.random.Generator, n: int, group_prob: float = 0.5) -> tuple[int, ...]:
    if n < 4 or rng.random() >= group_prob:
        return (n,)
    if n in COMMON_GROUPINGS and rng.random() < 0.7:
        options = COMMON_GROUPINGS[n]
        return options[int(rng.integers(len(options)))]
    groups, left = [], n
    while left > 0:
        size = min(left, int(rng.integers(2, 5)))
        groups.append(size)
        left -= size
    return tuple(groups)


def speak(digits: str, rng: np.random.Generator, allow_oh: bool = True, group_prob: float = 0.5) -> SpokenString:
    zeros = iter(zero_words(rng, digits.count("0")) if allow_oh else ["zero"] * digits.count("0"))
    words = tuple(next(zeros) if d == "0" else DIGIT_TO_WORD[d] for d in digits)
    return SpokenString(digits, words, random_grouping(rng, len(digits), group_prob))


def tts_text(spoken: SpokenString, rng: np.random.Generator) -> str:
    """Text for a TTS engine: words spelled out (so nothing reads "407" as "four hundred and seven"),
    groups separated by commas, full stops or ellipses, which the engines render as pauses."""
    parts, pos = [], 0
    for size in spoken.groups:
        parts.append(" ".join(spoken.words[pos:pos + size]))
        pos += size
    text = parts[0]
    for part in parts[1:]:
        text += str(rng.choice([", ", ". ", "... ", ", "])) + part
    return text + str(rng.choice([".", "", "."]))

"""Template sentences for TTS training and evaluation, and the JSGF grammar that accepts them.

    sentences = generate(2400, seed=1)            # deterministic for a seed
    grammar = jsgf_grammar(front_end_results)     # one rule per slot, one per template

A template is text with {slot} fields ({slot:2} is a second, different draw from the same
slot). Slots are word lists and written numbers (vocabulary.py). The written sentence goes
through the TypeScript front end; the grammar is built from the normalised slot values and
template text, and `spoken_parts` lets callers check that a sentence's normalisation is
the concatenation of its parts' (so the grammar accepts it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import vocabulary as V

TEMPLATES = (
    "The {adj} {person} {verbed} the {thing} {timephrase}.",
    "{name} {verbed} a {adj} {thing} at the {place}.",
    "My {person} lives in {city} with {count} {animals}.",
    "{name} and {name:2} {iverbed} {adverb} in the {place}.",
    "We bought {count} {foods} for {price} at the {place}.",
    "The train to {city} leaves at {time}.",
    "On {weekday}, {name} {verbed} the {thing} to the {place}.",
    "{name} was born on {month} {day}, {year}.",
    "In {year}, the {person} moved to {city}.",
    "About {percent} of the {persons} were {adj}.",
    "It is {distance} from the {place} to the {place:2}.",
    "The {thing} costs {price}, but the {thing:2} costs {price:2}.",
    "{name} said that the {mass} was too {adj}.",
    "There are {count} {things} in the {place}, and {count:2} {things:2} in the {place:2}.",
    "Please {verb} the {thing} before {time}.",
    "Don't {verb} the {adj} {thing}!",
    "If it rains on {weekday}, we will stay at the {place}.",
    "The {person} {verbed} {count} {things}; the {person:2} {verbed:2} the rest.",
    "At {time}, the {animal} {iverbed} near the {place}.",
    "{name_pos} {thing} is {color}, not {color:2}.",
    "The meeting with Dr. {surname} is on {weekday} at {time}.",
    "Mr. {surname} and Mrs. {surname:2} {verbed} the {adj} {thing}.",
    "The temperature in {city} fell to {temperature} last night.",
    "The {adj} {animal} ran {distance} in {number} minutes.",
    "Our {thing} weighs {weight}.",
    "Did {name} {verb} the {thing} {timephrase}?",
    "Where is the {adj} {thing}?",
    "Why was the {person} so {adj}?",
    "How many {things} did you {verb} at the {place}?",
    "Can you {verb} the {thing} for {name}?",
    "Is the {place} open on {weekday}?",
    "Does the {place} close at {time} or at {time:2}?",
    "Who {verbed} my {adj} {thing}?",
    "Would you like some {mass} or some {mass:2}?",
    "Was it {year} or {year:2}?",
    "What a {adj} {thing}!",
    "{name}, look at that {adj} {animal}!",
    "Wow, the {thing} is so {adj}!",
    "{name} {verbed} the {thing}, {verbed:2} the {thing:2}, and then {iverbed} {adverb}.",
    "When the {person} {iverbed}, the {animals} {iverbed:2} too.",
    "Although the {place} was {adj}, {name} stayed there until {time}.",
    "The {ordinal} {person} in line {verbed} a {thing}.",
    "Call me at {phone_number} after {time}.",
    "Room {room} is on the {ordinal} floor.",
    "The {thing} was {adj}: {name} {verbed} it {adverb}.",
    "Our flight to {city} leaves on {month} {day} at {time}.",
    "{name} paid {price} for {count} {foods} and a {food}.",
    "It was {year} when the {adj} {person} came to {city}.",
    "The {persons} from {city} {verbed} the {things} {adverb}.",
    "Turn left at the {place}, then walk {distance} to the {place:2}.",
    "The score was {score} to {score:2} after the {ordinal} game.",
    "I think the {animal} is {adj}, but {name} thinks it is {adj:2}.",
    "Yes, the {thing} is in the {place}.",
    "No, {name} did not {verb} the {food}.",
    "Oh, I forgot the {thing} at the {place} again.",
    "The {person} will arrive at {time} on {month} {day}.",
    "Take {count} {things} and give them to {name}.",
    "About {percent} of the {foods} are {color}.",
    "The {thing} and the {thing:2} are both {adj}.",
    "The car was going {speed} when the {animal} crossed the road.",
    '"{name}, where is my {thing}?" asked the {person}.',
    "In {month} {year}, {name} {verbed} a {adj} {thing} in {city}.",
    "The {adj} {animals} and the {adj:2} {animals:2} {iverbed} {timephrase}.",
    "Every {weekday}, the {persons} {verb} {mass} at the {place}.",
)

SLOT = re.compile(r"\{(\w+)(?::(\d))?\}")


def slot_values(seed: int = 7) -> dict[str, list[str]]:
    """Written values of every slot."""
    people, animals, things, foods = V.PEOPLE, V.ANIMALS, V.THINGS, V.FOODS
    values = {
        "name": V.NAMES, "name_pos": [f"{n}'s" for n in V.NAMES], "surname": V.SURNAMES, "city": V.CITIES,
        "person": [s for s, _ in people], "persons": [p for _, p in people],
        "animal": [s for s, _ in animals], "animals": [p for _, p in animals],
        "thing": [s for s, _ in things], "things": [p for _, p in things],
        "food": [s for s, _ in foods], "foods": [p for _, p in foods], "mass": V.MASS_FOODS,
        "place": V.PLACES, "adj": V.ADJECTIVES, "color": V.COLORS,
        "verb": [b for b, _ in V.VERBS], "verbed": [p for _, p in V.VERBS], "iverbed": V.INTRANSITIVE,
        "adverb": V.ADVERBS, "timephrase": V.TIME_PHRASES, "weekday": V.WEEKDAYS, "month": V.MONTHS,
    }
    values.update(V.numeric_slots(seed))
    return {k: list(v) for k, v in values.items()}


@dataclass(frozen=True)
class Sentence:
    text: str  # written, as fed to the front end
    template: int  # index into TEMPLATES
    parts: tuple[tuple[str, str], ...]  # ("lit", text) or (slot, value), in order


def _fill(template: str, values: dict[str, list[str]], rng: np.random.Generator) -> tuple[str, list[tuple[str, str]]]:
    parts: list[tuple[str, str]] = []
    chosen: dict[str, list[str]] = {}
    pos = 0
    for m in SLOT.finditer(template):
        if m.start() > pos:
            parts.append(("lit", template[pos:m.start()]))
        slot = m.group(1)
        pool = [v for v in values[slot] if v not in chosen.get(slot, [])]
        value = pool[int(rng.integers(len(pool)))]
        chosen.setdefault(slot, []).append(value)
        parts.append((slot, value))
        pos = m.end()
    if pos < len(template):
        parts.append(("lit", template[pos:]))
    text = "".join(v for _, v in parts)
    return text[:1].upper() + text[1:], parts


def generate(n: int, seed: int, exclude: set[str] | frozenset[str] = frozenset(),
             values: dict[str, list[str]] | None = None) -> list[Sentence]:
    """`n` distinct sentences, templates used in turn (shuffled per round), none in `exclude`."""
    values = values or slot_values()
    rng = np.random.default_rng([seed, 3])
    out: list[Sentence] = []
    seen = set(exclude)
    order: list[int] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise RuntimeError(f"could only make {len(out)} distinct sentences of {n}")
        if not order:
            order = rng.permutation(len(TEMPLATES)).tolist()
        t = order.pop()
        text, parts = _fill(TEMPLATES[t], values, rng)
        if text in seen:
            continue
        seen.add(text)
        out.append(Sentence(text, t, tuple(parts)))
    return out


def pieces(sentence: Sentence) -> list[str]:
    """The texts whose normalisations must concatenate to the sentence's normalisation."""
    return [v for _, v in sentence.parts]


def _jsgf_words(words: tuple[str, ...] | list[str]) -> str:
    return " ".join(words)


def jsgf_grammar(slot_spoken: dict[str, list[tuple[str, ...]]], literal_spoken: dict[str, tuple[str, ...]],
                 templates: tuple[str, ...] = TEMPLATES) -> str:
    """JSGF for pocketsphinx: `slot_spoken[slot]` lists each value's spoken words and
    `literal_spoken[text]` gives the spoken words of each literal template piece."""
    lines = ["#JSGF V1.0;", "grammar tts_templates;",
             "public <sentence> = " + " | ".join(f"<t{i}>" for i in range(len(templates))) + " ;"]
    for i, template in enumerate(templates):
        body, pos = [], 0
        for m in SLOT.finditer(template):
            lit = literal_spoken[template[pos:m.start()]] if m.start() > pos else ()
            body += list(lit) + [f"<{m.group(1)}>"]
            pos = m.end()
        body += list(literal_spoken[template[pos:]]) if pos < len(template) else []
        lines.append(f"<t{i}> = {' '.join(body)} ;")
    for slot in sorted(slot_spoken):
        alternatives = sorted({_jsgf_words(w) for w in slot_spoken[slot]})
        lines.append(f"<{slot}> = ( {' | '.join(alternatives)} ) ;")
    return "\n".join(lines) + "\n"


def literal_pieces(templates: tuple[str, ...] = TEMPLATES) -> list[str]:
    """Every literal text between slots, as written."""
    out = []
    for template in templates:
        pos = 0
        for m in SLOT.finditer(template):
            if m.start() > pos:
                out.append(template[pos:m.start()])
            pos = m.end()
        if pos < len(template):
            out.append(template[pos:])
    return sorted(set(out))


def grammar_regex(grammar: str) -> re.Pattern[str]:
    """A regular expression equivalent to a grammar written by `jsgf_grammar` (words joined
    by single spaces), to check sentences against it without a recogniser."""
    rules = {}
    for line in grammar.splitlines():
        m = re.match(r"^(?:public )?<(\w+)> = (.*) ;$", line)
        if m:
            rules[m.group(1)] = m.group(2)
    cache: dict[str, str] = {}

    def expand(name: str) -> str:
        if name not in cache:
            body = rules[name].strip()
            body = re.sub(r"<(\w+)>", lambda mm: "\x00" + mm.group(1) + "\x00", body)
            tokens = body.replace("(", " ( ").replace(")", " ) ").replace("|", " | ").split()
            out = []
            for tok in tokens:
                if tok.startswith("\x00"):
                    out.append(f"(?:{expand(tok.strip(chr(0)))})")
                elif tok == "(":
                    out.append("(?:")
                elif tok in (")", "|"):
                    out.append(tok)
                else:
                    out.append(re.escape(tok))
            # Join words with single spaces; no space next to group delimiters or alternation.
            text = ""
            for piece in out:
                if text and not text.endswith(("(?:", "|")) and piece not in (")", "|"):
                    text += " "
                text += piece
            cache[name] = text
        return cache[name]

    return re.compile("^(?:" + expand("sentence") + ")$")

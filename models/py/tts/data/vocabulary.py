"""Slot fillers for the template sentences: a few hundred common words and written numbers.

Every value is written as it would appear in text ("$12.50", "3:15 pm", "March 3rd") and is
spoken the same way alone as inside a sentence, so each slot becomes one JSGF rule whose
alternatives are the values' normalised forms (checked sentence by sentence by templates.py).
All spoken words must be in the lexicon; templates.py refuses the slot lists otherwise.
"""
from __future__ import annotations

import numpy as np

NAMES = ("Anna Peter Maria John Susan David Laura Michael Emma James Sarah Robert Linda Thomas Karen Daniel "
         "Julia Paul Nancy Mark Helen George Alice Frank Grace Henry Ruth Steven Diana Oliver Rachel Victor "
         "Nora Simon Claire Arthur Monica Edward Lucy Martin").split()
SURNAMES = ("Smith Johnson Brown Miller Wilson Moore Taylor Clark Lewis Walker Hall Young King Wright Green "
            "Baker Adams Nelson Carter Mitchell Turner Parker Collins Stewart Morris Cooper Ward Gray Wood Hughes").split()
CITIES = ("Boston Chicago Denver Dallas Seattle Portland Houston Phoenix Atlanta Miami London Paris Berlin "
          "Madrid Rome Vienna Dublin Tokyo Toronto Sydney").split()

# (singular, plural)
PEOPLE = [("teacher", "teachers"), ("doctor", "doctors"), ("farmer", "farmers"), ("driver", "drivers"),
          ("student", "students"), ("child", "children"), ("neighbor", "neighbors"), ("officer", "officers"),
          ("baker", "bakers"), ("nurse", "nurses"), ("pilot", "pilots"), ("artist", "artists"),
          ("engineer", "engineers"), ("lawyer", "lawyers"), ("singer", "singers"), ("writer", "writers"),
          ("painter", "painters"), ("friend", "friends"), ("brother", "brothers"), ("sister", "sisters"),
          ("mother", "mothers"), ("father", "fathers"), ("uncle", "uncles"), ("cousin", "cousins"),
          ("manager", "managers"), ("worker", "workers"), ("soldier", "soldiers"), ("player", "players"),
          ("captain", "captains"), ("visitor", "visitors")]
ANIMALS = [("dog", "dogs"), ("cat", "cats"), ("horse", "horses"), ("bird", "birds"), ("rabbit", "rabbits"),
           ("cow", "cows"), ("fox", "foxes"), ("bear", "bears"), ("duck", "ducks"), ("goat", "goats"),
           ("sheep", "sheep"), ("mouse", "mice"), ("lion", "lions"), ("tiger", "tigers"), ("fish", "fish"),
           ("snake", "snakes"), ("frog", "frogs"), ("wolf", "wolves"), ("chicken", "chickens"), ("pig", "pigs")]
THINGS = [("book", "books"), ("table", "tables"), ("chair", "chairs"), ("window", "windows"), ("door", "doors"),
          ("letter", "letters"), ("bottle", "bottles"), ("basket", "baskets"), ("box", "boxes"), ("car", "cars"),
          ("bike", "bikes"), ("boat", "boats"), ("phone", "phones"), ("lamp", "lamps"), ("key", "keys"),
          ("clock", "clocks"), ("bag", "bags"), ("cup", "cups"), ("plate", "plates"), ("knife", "knives"),
          ("shirt", "shirts"), ("coat", "coats"), ("hat", "hats"), ("shoe", "shoes"), ("ball", "balls"),
          ("map", "maps"), ("picture", "pictures"), ("radio", "radios"), ("camera", "cameras"),
          ("computer", "computers"), ("bucket", "buckets"), ("blanket", "blankets"), ("pencil", "pencils"),
          ("ticket", "tickets"), ("wallet", "wallets"), ("umbrella", "umbrellas"), ("candle", "candles"),
          ("mirror", "mirrors"), ("ladder", "ladders"), ("guitar", "guitars")]
FOODS = [("apple", "apples"), ("orange", "oranges"), ("banana", "bananas"), ("tomato", "tomatoes"),
         ("potato", "potatoes"), ("sandwich", "sandwiches"), ("cookie", "cookies"), ("pie", "pies"),
         ("cake", "cakes"), ("egg", "eggs"), ("lemon", "lemons"), ("carrot", "carrots"), ("onion", "onions"),
         ("pear", "pears"), ("peach", "peaches")]
MASS_FOODS = "bread cheese soup rice coffee tea milk butter honey pasta salad chocolate juice water sugar".split()
PLACES = ("kitchen garden market station library school office hospital park bank church museum hotel beach "
          "river forest village bridge farm airport harbor factory theater store restaurant").split()
ADJECTIVES = ("big small old new young red blue green yellow white black brown happy sad quiet loud warm cold "
              "heavy light bright dark clean dirty strange simple famous friendly lazy busy tired hungry angry "
              "careful gentle brave clever beautiful empty wooden little tall short long soft hard fresh broken "
              "expensive cheap sweet bitter wild kind proud lucky").split()
COLORS = "red blue green yellow white black brown orange purple gray pink".split()
# (base, past) of transitive verbs taking a thing or a food
VERBS = [("see", "saw"), ("find", "found"), ("buy", "bought"), ("sell", "sold"), ("carry", "carried"),
         ("paint", "painted"), ("open", "opened"), ("close", "closed"), ("clean", "cleaned"), ("fix", "fixed"),
         ("move", "moved"), ("watch", "watched"), ("bring", "brought"), ("take", "took"), ("keep", "kept"),
         ("hold", "held"), ("lose", "lost"), ("build", "built"), ("wash", "washed"), ("break", "broke"),
         ("drop", "dropped"), ("push", "pushed"), ("pull", "pulled"), ("count", "counted"), ("borrow", "borrowed"),
         ("need", "needed"), ("want", "wanted"), ("like", "liked"), ("hide", "hid"), ("catch", "caught"),
         ("throw", "threw"), ("send", "sent"), ("check", "checked"), ("order", "ordered"), ("return", "returned"),
         ("share", "shared"), ("pack", "packed"), ("forget", "forgot"), ("choose", "chose"), ("wrap", "wrapped")]
INTRANSITIVE = ("arrived left laughed smiled waited slept danced sang shouted whispered worked played walked ran "
                "swam cried jumped stayed agreed listened").split()
ADVERBS = "quickly slowly quietly carefully suddenly happily loudly gently again together finally early".split()
TIME_PHRASES = ["this morning", "last night", "every day", "after lunch", "before dinner", "at noon",
                "in the evening", "next week", "last year", "yesterday", "today", "tomorrow"]
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = ("January February March April May June July August September October November December").split()


def ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _prices(rng: np.random.Generator) -> list[str]:
    out = [f"${n}" for n in (1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 99, 100, 120, 250, 500, 1000)]
    out += [f"${d}.{c:02d}" for d, c in zip(rng.integers(0, 60, 40), rng.integers(1, 100, 40))]
    out += [f"€{n}" for n in (2, 4, 9, 15, 30, 60, 200)] + [f"€{d}.50" for d in (1, 3, 7)]
    out += [f"£{n}" for n in (3, 6, 11, 18, 45, 80)] + [f"£{d}.{c:02d}" for d, c in ((2, 20), (5, 75), (12, 5))]
    return sorted(set(out))


def _times() -> list[str]:
    out = []
    for h in range(1, 13):
        for m in (0, 5, 15, 30, 45):
            clock = f"{h}:{m:02d}"
            out += [clock, f"{clock} am", f"{clock} pm"]
        out += [f"{h} am", f"{h} pm"]
    return out


def numeric_slots(seed: int = 7) -> dict[str, list[str]]:
    """Written numbers by slot; fixed by the seed so the grammar is stable."""
    rng = np.random.default_rng([seed, 11])
    phones = sorted({f"555-{int(x):04d}" for x in rng.integers(0, 10000, 40)})
    return {
        "count": [str(n) for n in range(2, 21)] + ["25", "30", "40", "50", "100", "200", "1,000"],
        "number": [str(n) for n in range(1, 100)],
        "room": [str(n) for n in (101, 112, 204, 215, 307, 318, 402, 419, 512, 999)],
        "year": [str(y) for y in range(1950, 2030)],
        "price": _prices(rng),
        "percent": [f"{p}%" for p in (5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 80, 90, 95, 99)] + ["2.5%", "12.5%"],
        "time": _times(),
        "ordinal": [f"{n}{ordinal_suffix(n)}" for n in range(1, 13)] + ["21st", "22nd", "33rd", "100th"],
        "day": [f"{n}{ordinal_suffix(n)}" for n in range(1, 32)],
        "distance": [f"{n} {u}" for n in (2, 3, 5, 8, 10, 12, 15, 20, 25, 40, 100) for u in ("km", "miles")]
        + ["1 km", "1.5 km", "0.5 miles"],
        "weight": [f"{n} {u}" for n in (2, 3, 5, 10, 20) for u in ("kg", "lbs")] + ["1 kg", "2.5 kg", "500 g"],
        "temperature": [f"{t}°{s}" for t in (-10, -5, -2, 0, 3, 8, 15, 21, 30) for s in ("C",)]
        + [f"{t}°F" for t in (20, 45, 68, 72, 90, 100)],
        "speed": [f"{n} mph" for n in (15, 25, 30, 45, 55, 60, 70)] + [f"{n} km/h" for n in (30, 50, 80, 100, 120)],
        "phone_number": phones,
        "score": [str(n) for n in range(0, 11)],
    }

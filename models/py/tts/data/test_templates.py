"""Template generator, grammar and alignment helpers.

Run from models/py:  /usr/bin/python3 -m unittest tts.data.test_templates
(the last test calls the TypeScript front end through npx tsx: a few seconds)
"""
import unittest

import numpy as np

from .alignments import clean, frame_labels, parse_festival_segs, parse_flite_psdur, to_token
from .make_tts_data import build_texts
from .templates import TEMPLATES, generate, grammar_regex, jsgf_grammar, literal_pieces, slot_values


class GeneratorTest(unittest.TestCase):
    def test_deterministic_for_a_seed_and_distinct(self):
        a = generate(200, seed=4)
        self.assertEqual([s.text for s in a], [s.text for s in generate(200, seed=4)])
        self.assertNotEqual([s.text for s in a], [s.text for s in generate(200, seed=5)])
        self.assertEqual(len({s.text for s in a}), 200)

    def test_uses_every_template_and_respects_exclusions(self):
        a = generate(3 * len(TEMPLATES), seed=1)
        self.assertEqual({s.template for s in a}, set(range(len(TEMPLATES))))
        b = generate(100, seed=1, exclude={s.text for s in a})
        self.assertFalse({s.text for s in a} & {s.text for s in b})

    def test_second_draws_differ_and_parts_rebuild_the_text(self):
        for s in generate(300, seed=2):
            self.assertEqual("".join(v for _, v in s.parts).lower(), s.text.lower())
            self.assertTrue(s.text[0].isupper() or s.text[0] in '"$€£' or s.text[0].isdigit())
        s = next(s for s in generate(200, seed=3) if "{name:2}" in TEMPLATES[s.template])
        names = [v for k, v in s.parts if k == "name"]
        self.assertEqual(len(set(names)), 2)


class GrammarTest(unittest.TestCase):
    def test_grammar_regex_accepts_exactly_the_template_language(self):
        templates = ("The {adj} dog.", "{name}, {verb} it!")
        grammar = jsgf_grammar({"adj": [("big",), ("very", "old")], "name": [("anna",)], "verb": [("see",)]},
                               {"The ": ("the",), " dog.": ("dog",), ", ": (), " it!": ("it",)}, templates)
        pattern = grammar_regex(grammar)
        for ok in ("the big dog", "the very old dog", "anna see it"):
            self.assertTrue(pattern.match(ok), ok)
        for bad in ("the dog", "the big big dog", "the very dog", "anna see", "the big dog anna see it"):
            self.assertFalse(pattern.match(bad), bad)
        self.assertIn("<t1> = <name> <verb> it ;", grammar)

    def test_literal_pieces_cover_the_templates(self):
        pieces = literal_pieces()
        self.assertIn("The meeting with Dr. ", pieces)
        self.assertTrue(all("{" not in p for p in pieces))

    def test_slot_values_are_stable(self):
        self.assertEqual(slot_values(), slot_values())
        self.assertIn("$12.50", slot_values()["price"] + ["$12.50"])


class AlignmentTest(unittest.TestCase):
    def test_parsers(self):
        self.assertEqual(parse_flite_psdur("pau:0.164 hh:0.255 ax:0.304\n"),
                         [("pau", 0.164), ("hh", 0.255), ("ax", 0.304)])
        segs = "#\n0.2200 100 pau\n0.2871 100 hh\n"
        self.assertEqual(parse_festival_segs(segs), [("pau", 0.22), ("hh", 0.2871)])

    def test_phone_mapping(self):
        self.assertEqual([to_token(p) for p in ("ax", "axr", "pau", "h#", "zh", "AA")],
                         ["AH", "ER", "sil", "sil", "ZH", "AA"])
        with self.assertRaises(ValueError):
            to_token("q9")

    def test_clean_clips_merges_and_extends(self):
        segs = [("pau", 0.1), ("h#", 0.2), ("hh", 0.3), ("ax", 0.3), ("l", 0.5), ("pau", 0.9)]
        self.assertEqual(clean(segs, 0.8), [("sil", 0.2), ("HH", 0.3), ("L", 0.5), ("sil", 0.8)])
        self.assertEqual(clean([("k", 0.1)], 0.25), [("K", 0.1), ("sil", 0.25)])

    def test_frame_labels_take_the_segment_under_each_frame_centre(self):
        ids = {"sil": 3, "K": 28}
        labels = frame_labels(["sil", "K", "sil"], [0.03, 0.07, 0.1], 6, ids, hop_seconds=0.02)
        # centres 0, .02, .04, .06, .08, .10 (past the end: last segment)
        np.testing.assert_array_equal(labels, [3, 3, 28, 28, 3, 3])


class FrontEndTest(unittest.TestCase):
    def test_texts_are_compositional_and_inside_the_grammar(self):
        texts = build_texts(2 * len(TEMPLATES), 30, seed=9)
        pattern = grammar_regex(texts["grammar"])
        self.assertEqual(texts["dropped_noncompositional"], 0)
        for s in texts["train"] + texts["eval"]:
            t = texts["tok"][s.text]
            self.assertTrue(pattern.match(t.reference), s.text)
            self.assertEqual(t.oov, ())
            self.assertTrue(t.symbols[-1] in ".?!,", s.text)
        # A sentence from outside the templates is rejected.
        self.assertFalse(pattern.match("the cat sat on the mat"))


if __name__ == "__main__":
    unittest.main()

"""Scoring helpers of pocketsphinx_wer.py (no recogniser run).

Run from models/py:  /usr/bin/python3 -m unittest tts.eval.test_pocketsphinx_wer
"""
import unittest

from .pocketsphinx_wer import align_counts, grammar_dictionary, score


class AlignCountsTest(unittest.TestCase):
    def test_hand_cases(self):
        self.assertEqual(align_counts("a b c".split(), "a b c".split()), (0, 0, 0))
        self.assertEqual(align_counts("a b c".split(), "a x c".split()), (1, 0, 0))
        self.assertEqual(align_counts("a b c".split(), "a c".split()), (0, 1, 0))
        self.assertEqual(align_counts("a b c".split(), "a b b c".split()), (0, 0, 1))
        self.assertEqual(align_counts("a b".split(), []), (0, 2, 0))
        self.assertEqual(align_counts([], "x y".split()), (0, 0, 2))
        self.assertEqual(align_counts("the cat sat".split(), "a cat sat down".split()), (1, 0, 1))

    def test_pooled_over_the_set(self):
        e = score([["a", "b"], ["c", "d", "e", "f"]], [["a"], ["c", "x", "e", "f", "g"]])
        self.assertEqual((e.substitutions, e.deletions, e.insertions, e.ref_words), (1, 1, 1, 6))
        self.assertAlmostEqual(e.wer, 0.5)


class GrammarDictionaryTest(unittest.TestCase):
    def test_takes_grammar_words_with_alternates(self):
        grammar = "#JSGF V1.0;\ngrammar g;\npublic <s> = the ( read | o'clock ) <x> ;\n<x> = ( a | b ) ;\n"
        lines = grammar_dictionary(grammar).splitlines()
        heads = {line.split()[0] for line in lines}
        self.assertEqual(heads, {"the", "the(2)", "read", "read(2)", "o'clock", "a", "a(2)", "b"})

    def test_rejects_words_the_recogniser_cannot_say(self):
        with self.assertRaises(ValueError):
            grammar_dictionary("public <s> = zzyzxq ;\n")


if __name__ == "__main__":
    unittest.main()

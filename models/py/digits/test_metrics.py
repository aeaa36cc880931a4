"""Hand-checked cases for metrics.py and vocab.py.

Run from models/py:  /usr/bin/python3 -m unittest digits.test_metrics
"""
import unittest

from .metrics import edit_distance, normalize_digits, score, score_by
from .vocab import WORDS, digits_to_words, words_to_digits


class EditDistanceTest(unittest.TestCase):
    def test_basic_operations(self):
        self.assertEqual(edit_distance("407", "407"), 0)
        self.assertEqual(edit_distance("407", "417"), 1)  # substitution
        self.assertEqual(edit_distance("407", "4077"), 1)  # insertion
        self.assertEqual(edit_distance("407", "47"), 1)  # deletion
        self.assertEqual(edit_distance("", "12"), 2)
        self.assertEqual(edit_distance("12", ""), 2)
        self.assertEqual(edit_distance("kitten", "sitting"), 3)

    def test_word_sequences(self):
        self.assertEqual(edit_distance(["four", "oh"], ["four", "zero"]), 1)


class ScoreTest(unittest.TestCase):
    def test_oh_and_zero_are_the_same_digit_but_different_words(self):
        r = score(["four oh seven"], ["four zero seven"])
        self.assertEqual(r.digit_errors, 0)
        self.assertEqual(r.word_errors, 1)
        self.assertEqual(r.string_error_rate, 0.0)

    def test_pooled_over_reference_digits(self):
        # 1 substitution in 3 digits + 1 deletion in 5 digits = 2 / 8
        r = score(["407", "5 5 5 1 2"], ["417", "5 5 1 2"])
        self.assertAlmostEqual(r.digit_error_rate, 2 / 8)
        self.assertEqual(r.wrong_strings, 2)

    def test_insertions_can_exceed_one(self):
        self.assertAlmostEqual(score(["1"], ["1 2 3"]).digit_error_rate, 2.0)

    def test_score_by_groups(self):
        r = score_by(["b", "a", "b"], ["1 2", "3", "4"], ["1 2", "5", "4 4"])
        self.assertEqual(list(r), ["a", "b"])
        self.assertEqual((r["a"].digit_errors, r["b"].digit_errors, r["b"].ref_digits), (1, 1, 3))

    def test_normalize_drops_non_vocabulary_words(self):
        self.assertEqual(normalize_digits("Four um OH 7"), "407")


class VocabTest(unittest.TestCase):
    def test_round_trip(self):
        self.assertEqual(len(WORDS), 11)
        self.assertEqual(words_to_digits("four oh seven zero"), "4070")
        self.assertEqual(digits_to_words("407"), "four zero seven")
        self.assertEqual(digits_to_words("407", oh_for_zero=True), "four oh seven")

    def test_unknown_word_is_named(self):
        with self.assertRaisesRegex(KeyError, "eleven"):
            words_to_digits("one eleven")


if __name__ == "__main__":
    unittest.main()

"""Hand-checked cases for vote_eval.py.

Run from models/py:  /usr/bin/python3 -m unittest digits.test_vote_eval
"""
import unittest

from .vote_eval import align, vote


class VoteTest(unittest.TestCase):
    def test_align_marks_deletions(self):
        self.assertEqual(align(["one", "two", "three"], ["one", "three"]), ["one", None, "three"])
        self.assertEqual(align(["one", "two"], ["one", "five", "two"]), ["one", "two"])

    def test_majority_overrides_the_pivot(self):
        pivot = ["four", "nine", "two"]
        self.assertEqual(vote(pivot, [["four", "five", "two"], ["four", "five", "two"]]), ["four", "five", "two"])

    def test_no_majority_keeps_the_pivot(self):
        self.assertEqual(vote(["four", "nine"], [["four", "five"], ["four", "one"]]), ["four", "nine"])

    def test_a_majority_deletion_removes_the_word(self):
        self.assertEqual(vote(["one", "oh", "two"], [["one", "two"], ["one", "two"]]), ["one", "two"])

    def test_other_insertions_are_not_voted(self):
        self.assertEqual(vote(["one"], [["one", "six"], ["one", "six"]]), ["one"])


if __name__ == "__main__":
    unittest.main()

"""Token durations from synthesiser alignments, and the inference-time plan.

Run from models/py:  /usr/bin/python3 -m unittest tts.data.test_token_durations
"""
import unittest

import numpy as np

from .token_durations import DurationTable, duration_row, planned_timeline, token_centres, token_frames

HOP = 0.02
# ids: AE(10) T(39) _(4) T(39) EH(19) N(31) .(6); the alignment says the two T's as one
# segment each, no pause between the words, and ends in silence.
IDS = [10, 39, 4, 39, 19, 31, 6]
SEG = [3, 10, 39, 39, 19, 31, 3]
ENDS = [0.2, 0.3, 0.36, 0.44, 0.54, 0.6, 1.0]


class TokenFramesTest(unittest.TestCase):
    def test_phones_take_their_segments_and_punctuation_the_silence(self):
        lead, durs = token_frames(IDS, SEG, ENDS, 51, HOP)
        self.assertAlmostEqual(lead, 10.0)
        np.testing.assert_allclose(durs, [5, 3, 0, 4, 5, 3, 21], atol=1e-9)
        self.assertAlmostEqual(lead + durs.sum(), 51.0)

    def test_a_phone_the_audio_lacks_gets_no_time_and_a_substitution_keeps_its_segment(self):
        # The G2P says AE T _ T EH N . ; the synthesiser said AE D(17) _ T EH N with no final pause.
        lead, durs = token_frames(IDS, [10, 17, 39, 19, 31], [0.1, 0.16, 0.24, 0.34, 0.4], 21, HOP)
        self.assertAlmostEqual(lead, 0.0)
        np.testing.assert_allclose(durs, [5, 3, 0, 4, 5, 3, 1], atol=1e-9)

    def test_centres(self):
        np.testing.assert_allclose(token_centres(2.0, np.array([2.0, 4.0])), [3.0, 6.0])


class TableTest(unittest.TestCase):
    def test_means_per_voice_with_pooled_fallback(self):
        t = DurationTable(token_count=3, voices=2, min_count=2)
        for _ in range(2):
            t.add(0, [1, 2], 4.0, np.array([2.0, 6.0]))
        t.add(1, [1], 8.0, np.array([8.0]))
        frames = t.frames()
        self.assertEqual(frames[0][1:], [2.0, 6.0])
        # Voice 1 saw token 1 once (< min_count): the pooled mean over all voices, 4.0.
        self.assertEqual(frames[1][1], 4.0)
        self.assertEqual(t.lead(), [4.0, 8.0])

    def test_planned_timeline_and_rows(self):
        centres, total = planned_timeline([[0, 2, 4, 6], [1, 1, 1, 1]], [4, 6], 0, [1, 3, 2], 1.0)
        self.assertEqual(centres, [5.0, 9.0, 14.0])  # the TypeScript test expects the same numbers
        self.assertEqual(total, 16.0)
        self.assertEqual(duration_row(["a", "*"], "a"), 0)
        self.assertEqual(duration_row(["a", "*"], "b"), 1)


if __name__ == "__main__":
    unittest.main()

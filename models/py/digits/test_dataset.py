"""Sampler, augmentation and string-assembly checks on tiny in-memory bundles (no generated data needed).

Run from models/py:  /usr/bin/python3 -m unittest digits.test_dataset
"""
import unittest

import numpy as np
import torch

from .augment import NO_AUGMENT, AugmentConfig, augment
from .bundle import build_bundle
from .dataset import DigitStringDataset, collate_padded
from .string_builder import PauseConfig, assemble, draw_gaps
from .telephony import mu_law_round_trip, telephone_channel
from .vocab import WORDS, words_to_digits


def tone_clip(word_id: int, voice: int) -> np.ndarray:
    t = np.arange(1600) / 16000
    return (0.5 * np.sin(2 * np.pi * (200 + 50 * word_id + 7 * voice) * t)).astype(np.float32)


def tiny_bundles(fsdd_speakers=("fsdd/george", "fsdd/lucas")):
    clips, words, voices = [], [], []
    for v, name in enumerate(list(fsdd_speakers) + ["flite/awb/a", "flite/kal/a", "espeak/en-us/x"]):
        for w, word in enumerate(WORDS):
            if name.startswith("fsdd/") and word == "oh":
                continue  # FSDD speakers only say "zero"
            clips.append(tone_clip(w, v))
            words.append(word)
            voices.append(name)
    strings = build_bundle([np.concatenate([tone_clip(4, 9), tone_clip(10, 9)])], ["four oh"], ["flite/awb/a"])
    return build_bundle(clips, words, voices), strings


class DatasetTest(unittest.TestCase):
    def setUp(self):
        self.words, self.strings = tiny_bundles()
        self.ds = DigitStringDataset(epoch_size=50, seed=3, words=self.words, tts_strings=self.strings)

    def test_items_are_float_16k_with_consistent_labels(self):
        for i in range(len(self.ds)):
            wave, words, digits = self.ds[i]
            self.assertEqual(wave.dtype, torch.float32)
            self.assertEqual(wave.dim(), 1)
            self.assertLessEqual(float(wave.abs().max()), 1.0)
            self.assertEqual(words_to_digits(words), digits)
            self.assertGreater(len(digits), 0)

    def test_deterministic_per_seed_and_epoch(self):
        a, b = self.ds[7], self.ds[7]
        self.assertTrue(torch.equal(a[0], b[0]))
        self.ds.set_epoch(1)
        c = self.ds[7]
        self.assertFalse(a[1] == c[1] and len(a[0]) == len(c[0]) and torch.equal(a[0], c[0]))

    def test_refuses_theo(self):
        words, strings = tiny_bundles(("fsdd/theo",))
        with self.assertRaisesRegex(ValueError, "theo"):
            DigitStringDataset(words=words, tts_strings=strings)

    def test_clean_fsdd_string_is_exact_concatenation(self):
        rng = np.random.default_rng(0)
        audio, words = self.ds.sample(rng, augmented=False)
        self.assertTrue(np.isfinite(audio).all())
        self.assertTrue(all(w in WORDS for w in words))

    def test_collate_pads(self):
        waves, lengths, words, digits = collate_padded([self.ds[0], self.ds[1]])
        self.assertEqual(waves.shape, (2, int(lengths.max())))
        self.assertEqual(len(words), 2)


class AssemblyTest(unittest.TestCase):
    def test_gaps_and_length(self):
        rng = np.random.default_rng(1)
        gaps = draw_gaps(rng, (3, 4), PauseConfig())
        self.assertEqual(len(gaps), 8)
        clips = [np.ones(10, np.float32)] * 7
        out = assemble(clips, gaps)
        self.assertEqual(len(out), sum(gaps) + 70)
        self.assertEqual(float(out.sum()), 70.0)

    def test_between_group_gaps_are_the_longer_ones(self):
        rng = np.random.default_rng(2)
        gaps = draw_gaps(rng, (2, 2), PauseConfig(inside_group_ms=(0, 100), between_groups_ms=(300, 400)))
        self.assertLess(gaps[1], gaps[2])
        self.assertLess(gaps[3], gaps[2])


class AugmentTest(unittest.TestCase):
    def test_no_augment_keeps_signal(self):
        x = tone_clip(3, 0)
        y = augment(x, 16000, np.random.default_rng(0), NO_AUGMENT)
        np.testing.assert_allclose(y, x * (0.5 / np.abs(x).max()), atol=1e-6)

    def test_telephone_channel_removes_upper_band(self):
        rng = np.random.default_rng(0)
        x = rng.standard_normal(16000).astype(np.float32) * 0.1
        y = telephone_channel(x, 16000, voice_band=False, mu_law=False)
        spec = np.abs(np.fft.rfft(y)) ** 2
        self.assertLess(spec[4400:].sum() / spec.sum(), 1e-3)  # 1 s of audio: bin k is k Hz

    def test_mu_law_is_close_for_loud_signals(self):
        x = np.linspace(-0.9, 0.9, 1000, dtype=np.float32)
        self.assertLess(float(np.abs(mu_law_round_trip(x) - x).max()), 0.03)

    def test_full_chain_is_bounded_and_deterministic(self):
        x = np.concatenate([np.zeros(4000, np.float32), tone_clip(1, 0), np.zeros(4000, np.float32)])
        cfg = AugmentConfig(speed_prob=1, reverb_prob=1, noise_prob=1, telephone_prob=1)
        a = augment(x, 16000, np.random.default_rng(5), cfg)
        b = augment(x, 16000, np.random.default_rng(5), cfg)
        np.testing.assert_array_equal(a, b)
        self.assertLessEqual(float(np.abs(a).max()), 1.0)


if __name__ == "__main__":
    unittest.main()

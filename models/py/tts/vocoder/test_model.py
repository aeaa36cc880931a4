"""Unit tests of the vocoder graph's structure (random weights; no data needed).

    /usr/bin/python3 -m unittest discover -s models/py/tts/vocoder -p 'test_*.py'
"""
from __future__ import annotations

import os
import sys
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import mel_spec  # noqa: E402
from model import HOP, N_FFT, ConvIstft, VocosTiny  # noqa: E402


class ConvIstftTest(unittest.TestCase):
    def test_equals_torch_istft(self):
        torch.manual_seed(0)
        x = torch.randn(2, 9000)
        window = torch.hann_window(N_FFT)
        spec = torch.stft(x, N_FFT, HOP, N_FFT, window=window, center=True, pad_mode="reflect", return_complex=True)
        frames = spec.shape[-1]
        ours = ConvIstft()(spec.real, spec.imag)
        ref = torch.istft(spec, N_FFT, HOP, N_FFT, window=window, center=True, length=frames * HOP)
        self.assertEqual(tuple(ours.shape), (2, frames * HOP))
        self.assertLess(float((ours - ref).abs().max()), 1e-5)
        self.assertLess(float((ours[:, :9000] - x).abs().max()), 1e-5)


class CausalityTest(unittest.TestCase):
    def test_block_t_depends_on_frames_t_minus_1_minus_receptive_to_t_plus_2(self):
        torch.manual_seed(1)
        model = VocosTiny(dim=32, hidden=64, layers=2).eval()
        for p in model.head.parameters():  # random init is near-silent; make the output sensitive
            p.data.normal_(0, 0.3)
        mel = torch.randn(1, mel_spec.N_MELS, 60)
        t = 40
        with torch.no_grad():
            base = model(mel)
            bumped = mel.clone()
            bumped[:, :, t] += 1.0
            changed = (model(bumped) - base).abs()[0] > 0
        blocks = changed.reshape(-1, HOP).any(1).nonzero().flatten().tolist()
        # Frame t reaches blocks t - 2 .. t + 1 + receptive_left (iSTFT overlap then causal convs).
        self.assertEqual(min(blocks), t - 2)
        self.assertEqual(max(blocks), t + 1 + model.receptive_left)

    def test_output_length_is_frames_times_hop(self):
        model = VocosTiny(dim=16, hidden=32, layers=1).eval()
        for frames in (1, 2, 3, 17):
            with torch.no_grad():
                self.assertEqual(model(torch.zeros(1, mel_spec.N_MELS, frames)).shape[-1], frames * HOP)


class MelSpecTest(unittest.TestCase):
    def test_frame_count_and_floor(self):
        x = torch.zeros(3200, dtype=torch.float64)
        lm = mel_spec.log_mel(x)
        self.assertEqual(tuple(lm.shape), (mel_spec.N_MELS, mel_spec.num_frames(3200)))
        self.assertAlmostEqual(float(lm.max()), float(torch.log(torch.tensor(mel_spec.LOG_FLOOR))), places=6)


if __name__ == "__main__":
    unittest.main()

"""Unit tests of the ARDiT-style model (random weights; no data needed).

    /usr/bin/python3 -m unittest discover -s models/py/tts/ardit -t models/py/tts -p 'test_*.py'
"""
from __future__ import annotations

import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from ardit.config import ArditConfig, tiny_fixture_config  # noqa: E402
from ardit.model import Ardit, num_parameters  # noqa: E402
from ardit.philox import normals, philox4x32, uint32_words  # noqa: E402
from ardit.sampler import GenerateOptions, TorchGraphs, generate, plan_length  # noqa: E402

torch.set_num_threads(1)


def toy_batch(cfg: ArditConfig, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    phone_lens = torch.tensor([7, 5])
    frame_lens = torch.tensor([22, 13])  # 6 and 4 patches, partial last patches
    phones = torch.randint(9, cfg.vocab_size, (2, 7), generator=g)
    # A learnable toy target: each frame is a smooth function of its phone-ish position.
    t = torch.arange(24).float()
    base = torch.sin(t[:, None] * 0.3 + torch.arange(cfg.n_mels)[None] * 0.1)
    mels = torch.stack([base, base.flip(0)])
    return phones, phone_lens, mels, frame_lens


class PhiloxTest(unittest.TestCase):
    def test_random123_known_answers(self):
        self.assertEqual(philox4x32((0, 0, 0, 0), (0, 0)), [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8])
        self.assertEqual(philox4x32((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2),
                         [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD])
        self.assertEqual(philox4x32((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0)),
                         [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1])

    def test_stream_is_seekable_and_normal(self):
        whole = normals(7, 0, 64)
        np.testing.assert_array_equal(whole[32:], normals(7, 32, 32))
        self.assertEqual(list(uint32_words(7, 4, 4)), philox4x32((1, 0, 0, 0), (7, 0)))
        big = normals(1, 0, 20000)
        self.assertLess(abs(float(big.mean())), 0.03)
        self.assertLess(abs(float(big.std()) - 1), 0.03)


class ModelTest(unittest.TestCase):
    def test_default_size_is_small(self):
        n = num_parameters(Ardit(ArditConfig()))
        self.assertGreater(n, 2_000_000)
        self.assertLess(n, 5_500_000)

    def test_cached_inference_equals_teacher_forced_forward(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        model = Ardit(cfg).eval()
        phones = torch.randint(9, cfg.vocab_size, (1, 6))
        n = 5
        patches = torch.randn(1, n, cfg.patch, cfg.n_mels)
        phone_pos = ((torch.arange(6).float() + 0.5) * n / 6).unsqueeze(0)
        with torch.no_grad():
            # Teacher-forced: the same layout forward_train builds, without padding.
            x = torch.cat([model.phone_emb(phones), model.bos.reshape(1, 1, -1), model.embed_patches(patches)], 1)
            pos = torch.cat([phone_pos, torch.arange(n + 1).float().unsqueeze(0)], 1)
            s = x.shape[1]
            idx = torch.arange(s)
            allowed = (idx[None] < 6) & (idx[:, None] < 6) | (idx[:, None] >= 6) & ((idx[None] < 6) | (idx[None] <= idx[:, None]))
            bias = torch.zeros(s, s).masked_fill(~allowed, -1e9)
            h_full, _, _ = model.backbone(x, pos, bias)
            # Cached: prefill then one step per patch.
            h, _, kc, vc = model.prefill(phones, phone_pos, torch.zeros(1, 1))
            hs = [h]
            for j in range(n):
                h, _, kc, vc = model.step(patches[:, j], torch.tensor([[j + 1.0]]), kc, vc)
                hs.append(h)
        self.assertEqual(tuple(kc.shape), (cfg.layers, 1, cfg.heads, 6 + 1 + n, cfg.head_dim))
        torch.testing.assert_close(torch.stack(hs, 1), h_full[:, 6:], atol=1e-5, rtol=1e-5)

    def test_padding_is_masked_out(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        cfg.cond_dropout = 0.0
        model = Ardit(cfg).eval()
        phones, phone_lens, mels, frame_lens = toy_batch(cfg)
        # The stop loss has no noise: the padded batch's value is the patch-weighted mean of
        # the items' own values (6 and 4 patches) only if padding is invisible to real positions.
        with torch.no_grad():
            s0 = model.forward_train(phones[:1], phone_lens[:1], mels[:1, :22], frame_lens[:1])["stop"]
            s1 = model.forward_train(phones[1:, :5], phone_lens[1:], mels[1:, :13], frame_lens[1:])["stop"]
            both = model.forward_train(phones, phone_lens, mels, frame_lens)["stop"]
        torch.testing.assert_close(both, (6 * s0 + 4 * s1) / 10, atol=1e-5, rtol=1e-5)

    def test_auxiliary_regression_and_input_noise_are_training_only(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        plain = num_parameters(Ardit(cfg))
        cfg.aux_weight, cfg.input_noise = 1.0, 0.3
        model = Ardit(cfg)
        self.assertEqual(num_parameters(model), plain)  # the aux head is not part of any graph
        batch = toy_batch(cfg)
        g = lambda: torch.Generator().manual_seed(5)  # noqa: E731
        with torch.no_grad():
            model.train()
            noisy = model.forward_train(*batch, generator=g())
            model.eval()
            clean = model.forward_train(*batch, generator=g())
        self.assertGreater(float(clean["aux"]), 0.0)
        torch.testing.assert_close(clean["loss"], clean["flow"] + clean["stop"] + clean["aux"])
        # Input noise applies in training mode only: the stop loss sees different inputs.
        self.assertNotAlmostEqual(float(noisy["stop"]), float(clean["stop"]), places=6)

    def test_a_few_optimizer_steps_lower_the_loss(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        model = Ardit(cfg).train()
        batch = toy_batch(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=3e-3)

        def loss_at(seed):
            return model.forward_train(*batch, generator=torch.Generator().manual_seed(seed))

        with torch.no_grad():
            model.eval()
            before = [float(loss_at(s)["loss"]) for s in range(3)]
            model.train()
        for i in range(30):
            out = loss_at(100 + i)
            opt.zero_grad()
            out["loss"].backward()
            opt.step()
        with torch.no_grad():
            model.eval()
            after = [float(loss_at(s)["loss"]) for s in range(3)]
        self.assertLess(np.mean(after), 0.7 * np.mean(before))


class ExportTest(unittest.TestCase):
    def test_three_graphs_with_the_same_metadata(self):
        import tempfile

        sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
        from ardit.export import export_graphs
        from zoo.onnx_export import read_metadata

        torch.manual_seed(0)
        with tempfile.TemporaryDirectory() as out:
            paths = export_graphs(Ardit(tiny_fixture_config()), out)
            metas = {role: read_metadata(path) for role, path in paths.items()}
        self.assertEqual([m["graph"] for m in metas.values()], ["prefill", "step", "flow_head"])
        for m in metas.values():
            self.assertEqual((m["model_type"], m["patch_size"], m["n_layers"], m["hidden_size"]),
                             ("ardit-tts", "4", "2", "64"))
            self.assertEqual(len(m["mel_mean"].split(",")), 80)


class SamplerTest(unittest.TestCase):
    def test_length_plan_is_bounded_by_text_length(self):
        opts = GenerateOptions()
        plan = plan_length(10, 6.0, 4, opts)
        self.assertEqual((plan.planned, plan.min_steps, plan.max_steps), (15, 9, 23))
        self.assertEqual(plan_length(1, 0.1, 4, opts).max_steps, 2)  # never below one step
        self.assertEqual(plan_length(10_000, 6.0, 4, opts).max_steps, opts.max_steps)

    def test_generation_ends_within_the_plan(self):
        torch.manual_seed(1)
        cfg = tiny_fixture_config()
        model = Ardit(cfg)
        with torch.no_grad():
            model.stop.bias.fill_(-50.0)  # never says stop
        res = generate(TorchGraphs(model), [20, 21, 22, 23], GenerateOptions(seed=3, flow_steps=2))
        self.assertEqual((res.reason, res.steps), ("max", res.plan.max_steps))
        self.assertEqual(res.mel.shape, (res.steps * cfg.patch, cfg.n_mels))
        with torch.no_grad():
            model.stop.bias.fill_(50.0)  # always says stop
        res = generate(TorchGraphs(model), [20, 21, 22, 23], GenerateOptions(seed=3, flow_steps=2))
        self.assertEqual((res.reason, res.steps), ("stop", res.plan.min_steps))


if __name__ == "__main__":
    unittest.main()

"""Unit tests of the MaskGCT-style model (random weights; no data needed).

    /usr/bin/python3 -m unittest discover -s models/py/tts/maskgct -t models/py/tts -p 'test_*.py'
"""
from __future__ import annotations

import math
import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

from maskgct.config import MaskGctConfig, tiny_fixture_config  # noqa: E402
from maskgct.model import S2A, T2S, MaskGct, MelCodec, num_parameters  # noqa: E402
from maskgct.sampler import (GenerateOptions, PhraseResult, Prompt, StepTrace, TorchGraphs,  # noqa: E402
                             continuation_prompt, generate_phrase, mask_predict, masked_after_step, plan_phrase,
                             synthesize)
from maskgct.semantic import semantic_tokens  # noqa: E402

torch.set_num_threads(1)


def toy_data(cfg: MaskGctConfig, seed: int = 0):
    """Two utterances whose semantic frames follow their phones (3 frames each) and whose mel is
    a smooth function of the frame's phone: learnable by every part."""
    g = torch.Generator().manual_seed(seed)
    phone_lens = torch.tensor([8, 6])
    phones = torch.randint(9, cfg.vocab_size, (2, 8), generator=g)
    frame_lens = phone_lens * 3
    sem = torch.repeat_interleave(phones, 3, dim=1)
    bins = torch.arange(cfg.n_mels).float()
    mel = torch.sin(sem.float().unsqueeze(-1) * 0.37 + bins * 0.05) + 0.3 * torch.cos(bins * 0.11 + sem.unsqueeze(-1))
    return phones, phone_lens, sem, frame_lens, mel


def train_steps(model, loss_fn, steps: int, lr: float):
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for i in range(steps):
        out = loss_fn(100 + i)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()


def mean_loss(model, loss_fn, key: str, seeds=range(4)) -> float:
    with torch.no_grad():
        return float(np.mean([float(loss_fn(s)[key]) for s in seeds]))


class TrainingTest(unittest.TestCase):
    def test_default_size_is_small(self):
        n = num_parameters(MaskGct(MaskGctConfig()))
        self.assertGreater(n, 3_000_000)
        self.assertLess(n, 8_000_000)

    def test_t2s_masked_ce_drops(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        model = T2S(cfg)
        phones, phone_lens, sem, frame_lens, _ = toy_data(cfg)

        def loss(seed):
            return model.forward_train(phones, phone_lens, sem, frame_lens, torch.Generator().manual_seed(seed))

        before = mean_loss(model, loss, "ce")
        train_steps(model, loss, 40, 3e-3)
        self.assertLess(mean_loss(model, loss, "ce"), 0.7 * before)

    def test_s2a_masked_ce_drops(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        codec = MelCodec(cfg)
        phones, phone_lens, sem, frame_lens, mel = toy_data(cfg)
        codec.init_codebooks(mel.reshape(-1, cfg.n_mels)[None], torch.Generator().manual_seed(0))
        codes = codec.encode(mel)
        model = S2A(cfg)

        def loss(seed):
            return model.forward_train(sem, codes, frame_lens, torch.Generator().manual_seed(seed))

        before = mean_loss(model, loss, "ce", range(8))
        train_steps(model, loss, 40, 3e-3)
        self.assertLess(mean_loss(model, loss, "ce", range(8)), 0.7 * before)

    def test_codec_losses_drop(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        codec = MelCodec(cfg)
        _, _, _, frame_lens, mel = toy_data(cfg)
        codec.init_codebooks(mel[:1, :10], torch.Generator().manual_seed(0))  # a poor start on purpose

        def loss(_seed):
            return codec.forward_train(mel, frame_lens)

        before = {k: mean_loss(codec, loss, k, [0]) for k in ("recon", "codebook", "commit")}
        train_steps(codec, loss, 60, 1e-2)
        after = {k: mean_loss(codec, loss, k, [0]) for k in ("recon", "codebook", "commit")}
        for k in before:
            self.assertLess(after[k], 0.8 * before[k], k)

    def test_codec_with_context_losses_drop(self):
        # The codec of the 8-layer model: a conv encoder over 5 frames, residual decoder blocks.
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        cfg.codec_enc_kernel, cfg.codec_dec_blocks, cfg.codec_layers = 5, 2, 4
        codec = MelCodec(cfg)
        _, _, _, frame_lens, mel = toy_data(cfg)
        codec.init_codebooks(mel[:1, :10], torch.Generator().manual_seed(0))

        def loss(_seed):
            return codec.forward_train(mel, frame_lens)

        before = mean_loss(codec, loss, "recon", [0])
        train_steps(codec, loss, 60, 1e-2)
        self.assertLess(mean_loss(codec, loss, "recon", [0]), 0.8 * before)
        self.assertEqual(codec.encode(mel).shape, (*mel.shape[:2], 4))

    def test_default_codec_keeps_the_first_codecs_parameters(self):
        # Checkpoints of the shipped 4-layer model load into the default config unchanged.
        names = set(MelCodec(tiny_fixture_config()).state_dict())
        self.assertEqual(names, {"enc.weight", "enc.bias", "codebooks", "dec_in.weight", "dec_in.bias",
                                 "dec_out.weight", "dec_out.bias", "skip.weight", "skip.bias"})

    def test_padding_is_invisible(self):
        torch.manual_seed(0)
        cfg = tiny_fixture_config()
        model = T2S(cfg).eval()
        phones = torch.randint(9, cfg.vocab_size, (1, 5))
        pos = torch.rand(1, 5) * 9
        sem = torch.randint(0, cfg.sem_vocab, (1, 9))
        m = (torch.rand(1, 9) > 0.5).float()
        with torch.no_grad():
            a = model(phones, pos, sem, m, torch.tensor([0]))
            # Unconditional row == the target frames alone (RoPE is relative).
            u = model(phones, pos, sem, m, torch.tensor([5 + 3]))
            alone = model.logits(phones[:, :0], pos[:, :0], sem[:, 3:], m[:, 3:], torch.ones(1, 6, dtype=torch.bool))
        torch.testing.assert_close(u[:, 3:], alone, atol=1e-5, rtol=1e-5)
        self.assertGreater(float((a[:, 3:] - u[:, 3:]).abs().max()), 1e-3)


class ScheduleTest(unittest.TestCase):
    def test_cosine_schedule_commits_every_step(self):
        self.assertEqual([masked_after_step(30, 12, i, 30) for i in range(12)][-1], 0)
        seq, now = [], 30
        for i in range(12):
            now = masked_after_step(30, 12, i, now)
            seq.append(now)
        self.assertTrue(all(b < a for a, b in zip([30] + seq, seq) if a > 0))
        self.assertEqual(seq[0], math.floor(30 * math.cos(math.pi / 24)))
        self.assertEqual(masked_after_step(3, 10, 1, 2), 1)  # at least one commit per step

    def test_committed_tokens_never_change(self):
        rng = np.random.default_rng(0)
        trace: list = []

        def logits(tokens, masked, guided):
            return rng.normal(size=(20, 11)).astype(np.float32), None

        out = mask_predict(logits, 20, 6, 1.0, 5, 0.0, 1.0, (3, 0), 0, trace)
        fixed = {}
        for s in trace:
            for r, c in enumerate(s.chosen):
                if c >= 0:
                    self.assertNotIn(r, fixed)
                if not s.masked[r] and r not in fixed:
                    fixed[r] = c
        self.assertEqual(sorted(fixed), list(range(20)))
        self.assertEqual([fixed[r] for r in range(20)], list(out))

    def test_prompt_tokens_stay_fixed_and_phrases_continue(self):
        torch.manual_seed(0)
        model = MaskGct(tiny_fixture_config())
        graphs = TorchGraphs(model)
        seen = []
        inner = graphs.t2s

        def spy(phone_ids, phone_pos, sem_ids, sem_masked, drop):
            seen.append((sem_ids.copy(), sem_masked.copy()))
            return inner(phone_ids, phone_pos, sem_ids, sem_masked, drop)

        graphs.t2s = spy
        prompt = Prompt([20, 21], np.array([3, 4, 5], np.int64), np.zeros((3, 3), np.int64))
        res = generate_phrase(graphs, [22, 23, 24], prompt, GenerateOptions(seed=1, t2s_cfg=1.0))
        for sem_ids, m in seen:
            np.testing.assert_array_equal(sem_ids[:, :3], np.array([[3, 4, 5]] * 2))
            np.testing.assert_array_equal(m[:, :3], 0)
        self.assertEqual(res.mel.shape, (9, 80))
        both = synthesize(TorchGraphs(model), [[22, 23], [24, 25, 26]], GenerateOptions(seed=2, prompt_frames=4))
        self.assertEqual([r.num_frames for r in both], [6, 9])

    def test_semantic_states(self):
        np.testing.assert_array_equal(semantic_tokens(np.array([5, 5, 5, 7, 7, 9]), 3),
                                      [15, 16, 17, 21, 22, 27])
        np.testing.assert_array_equal(semantic_tokens(np.array([5, 5, 7]), 1), [5, 5, 7])


def with_table(cfg: MaskGctConfig) -> MaskGctConfig:
    """Rows "a" (2 frames per token, lead 1), "b" (3, lead 2), pooled "*" (4, lead 3)."""
    cfg.duration_voices = ["a", "b", "*"]
    cfg.token_frames = [[float(d)] * cfg.vocab_size for d in (2, 3, 4)]
    cfg.lead_frames = [1.0, 2.0, 3.0]
    return cfg


class PositionsTest(unittest.TestCase):
    """Duration-table planning (CONTRACT.md "Positions"); the same numbers as
    test/unit/tts-maskgct/maskgct-positions.test.ts."""

    def test_plan_from_the_voice_row(self):
        cfg = with_table(tiny_fixture_config())
        self.assertEqual(plan_phrase(cfg, [10, 11, 9], GenerateOptions(voice="b")), (11, [3.5, 6.5, 9.5]))
        self.assertEqual(plan_phrase(cfg, [10, 11, 9], GenerateOptions(voice="nobody")), (15, [5.0, 9.0, 13.0]))
        self.assertEqual(plan_phrase(cfg, [10, 11, 9], GenerateOptions()), (15, [5.0, 9.0, 13.0]))
        self.assertEqual(plan_phrase(cfg, [10, 11, 9], GenerateOptions(voice="a", speed=2.0)), (4, [1.0, 2.0, 3.0]))
        n, centres = plan_phrase(cfg, [10, 11, 9], GenerateOptions(voice="b", num_frames=7))
        self.assertEqual((n, centres), (7, [(c * 7) / 11 for c in (3.5, 6.5, 9.5)]))
        with self.assertRaises(ValueError):
            plan_phrase(cfg, [10, 11, 9], GenerateOptions(voice="b", max_frames=10))

    def test_no_table_plans_as_before(self):
        cfg = tiny_fixture_config()
        self.assertEqual(plan_phrase(cfg, [10, 11, 9], GenerateOptions(speed=1.25, voice="b")), (7, None))

    def test_positions_fed_to_t2s(self):
        torch.manual_seed(0)
        model = MaskGct(with_table(tiny_fixture_config()))
        graphs = TorchGraphs(model)
        seen = []
        inner = graphs.t2s

        def spy(phone_ids, phone_pos, sem_ids, sem_masked, drop):
            seen.append((phone_ids[0].tolist(), phone_pos[0].tolist()))
            return inner(phone_ids, phone_pos, sem_ids, sem_masked, drop)

        graphs.t2s = spy
        prompt = Prompt([20, 21], np.zeros(4, np.int64), np.zeros((4, 3), np.int64), np.array([1.25, 2.75]))
        opts = GenerateOptions(seed=1, voice="b", t2s_steps=2, s2a_steps=[1, 1, 1], prompt_frames=5)
        res = synthesize(graphs, [[10, 11, 9], [12, 13]], opts, prompt)
        self.assertEqual([r.num_frames for r in res], [11, 8])
        self.assertEqual(seen[0], ([20, 21, 10, 11, 9], [1.25, 2.75, 7.5, 10.5, 13.5]))
        self.assertEqual(seen[2], ([11, 9, 12, 13], [0.5, 3.5, 8.5, 11.5]))
        even = TorchGraphs(model, tiny_fixture_config())  # a model without the table: evenly spread
        even.t2s = spy
        seen.clear()
        generate_phrase(even, [10, 11, 9], prompt, GenerateOptions(seed=1, t2s_steps=1, s2a_steps=[1, 1, 1]))
        self.assertEqual(seen[0][1], [float(np.float32((i + 0.5) * 13 / 5)) for i in range(5)])

    def test_continuation_keeps_the_phones_of_the_window(self):
        def res(centres):
            return PhraseResult(11, np.arange(11), np.zeros((11, 3), np.int64), np.zeros((11, 80), np.float32),
                                centres=centres)

        p = continuation_prompt([10, 11, 9], res([3.5, 6.5, 9.5]), 5)
        self.assertEqual((p.phones, p.phone_pos.tolist(), p.sem.tolist()), ([11, 9], [0.5, 3.5], [6, 7, 8, 9, 10]))
        p = continuation_prompt([10, 11, 9], res([3.5, 6.5, 9.5]), 1)
        self.assertEqual((p.phones, p.phone_pos.tolist()), ([9], [-0.5]))
        p = continuation_prompt([10, 11, 9], res(None), 5)
        self.assertEqual((p.phones, p.phone_pos), ([11, 9], None))


class ExportTest(unittest.TestCase):
    def test_three_graphs_with_the_same_metadata(self):
        import tempfile

        sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
        from maskgct.export import export_graphs
        from zoo.onnx_export import read_metadata

        torch.manual_seed(0)
        with tempfile.TemporaryDirectory() as out:
            paths = export_graphs(MaskGct(tiny_fixture_config()), out)
            metas = {role: read_metadata(path) for role, path in paths.items()}
        self.assertEqual([m["graph"] for m in metas.values()], ["t2s", "s2a", "codec_decoder"])
        for m in metas.values():
            self.assertEqual((m["model_type"], m["codec_layers"], m["codebook_size"], m["sem_vocab"]),
                             ("maskgct-tts", "3", "32", "48"))
            self.assertNotIn("durations", m)  # no table: phones spread evenly

    def test_duration_table_metadata(self):
        import json
        import tempfile

        sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
        from maskgct.export import export_graphs
        from zoo.onnx_export import read_metadata

        torch.manual_seed(0)
        cfg = with_table(tiny_fixture_config())
        with tempfile.TemporaryDirectory() as out:
            paths = export_graphs(MaskGct(cfg), out)
            metas = [read_metadata(path) for path in paths.values()]
        table = json.loads(metas[0]["durations"])
        self.assertEqual(table, {"voices": cfg.duration_voices, "lead": cfg.lead_frames, "frames": cfg.token_frames})
        self.assertTrue(all(m["durations"] == metas[0]["durations"] for m in metas))


if __name__ == "__main__":
    unittest.main()

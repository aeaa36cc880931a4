#!/usr/bin/python3
"""Where an ARDiT checkpoint's error comes from: each patch sampled teacher-forced (the true
previous patches fed back) against free-running (its own samples fed back), as MSE per
normalised mel bin against the true patches, on training clips of one voice at their aligned
positions. A high teacher-forced error means the model has not learned the text -> mel
mapping; a free-running error far above it means drift (exposure bias). CONTRACT.md quotes
the figures for the step-1,215 checkpoint.

    /usr/bin/python3 models/py/tts/ardit/diagnose_sampling.py CHECKPOINT [--voice cmu_us_slt_arctic_hts] [--clips 4]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

from ardit.config import ArditConfig, text_tokens  # noqa: E402
from ardit.model import Ardit  # noqa: E402
from ardit.train import DATA, WORK, load_items, load_rows, text_positions, voice_name  # noqa: E402
from data.token_durations import clip_timelines  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--voice", default="cmu_us_slt_arctic_hts")
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--flow-steps", type=int, default=4)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(args.checkpoint, map_location="cpu")
    cfg = ArditConfig(**ck["config"])
    model = Ardit(cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    items = load_items(DATA, cfg.patch, os.path.join(WORK, "mels.npz"))
    rows = load_rows(DATA)
    mean, std = np.array(cfg.mel_mean), np.array(cfg.mel_std)
    k = cfg.patch
    picked = [i for i, r in enumerate(rows) if voice_name(r["voice"]) == args.voice][: args.clips]

    def sample(hidden, prev, g):
        x = torch.randn(1, k, cfg.n_mels, generator=g)
        for s in range(args.flow_steps):
            x = x + model.head(x, torch.full((1,), s / args.flow_steps), hidden[None], prev[None]) / args.flow_steps
        return x[0]

    def run(toks, pos, patches, teacher_forced: bool, g) -> float:
        hidden, _, key, value = model.prefill(toks, pos, torch.zeros(1, 1))
        hidden, prev, errors = hidden[0], torch.zeros(k, cfg.n_mels), []
        for j in range(patches.shape[0]):
            p = sample(hidden, prev, g)
            errors.append(float(((p - patches[j]) ** 2).mean()))
            prev = patches[j] if teacher_forced else p
            hidden, _, key, value = model.step(prev[None], torch.tensor([[float(j + 1)]]), key, value)
            hidden = hidden[0]
        return float(np.mean(errors))

    with torch.no_grad():
        for i in picked:
            ids, mel = items[i]
            row = rows[i]
            timeline = clip_timelines([row], [mel.shape[0]])[0]
            voice = cfg.voices.index(voice_name(row["voice"])) if cfg.voices else None
            toks = torch.tensor([text_tokens(cfg, ids.tolist(), voice)])
            pos = torch.from_numpy(text_positions(cfg, timeline, voice is not None))[None]
            x = torch.from_numpy(((mel - mean) / std).astype(np.float32))
            n = x.shape[0] // k
            patches = x[: n * k].reshape(n, k, -1)
            g = torch.Generator().manual_seed(0)
            tf, free = run(toks, pos, patches, True, g), run(toks, pos, patches, False, g)
            print(f"{row['id']}: {n} patches, teacher-forced MSE {tf:.3f}, free-running MSE {free:.3f}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Trains the MaskGCT-style model on the synthetic TTS data (models/py/tts/data/README.md).

    nice -n 19 /usr/bin/python3 models/py/tts/maskgct/train.py --codec-minutes 3 --t2s-minutes 15 --s2a-minutes 15
    /usr/bin/python3 models/py/tts/maskgct/train.py --smoke      # synthetic data, a few steps per stage
    /usr/bin/python3 models/py/tts/maskgct/export.py --checkpoint models/py/work/tts-maskgct/run/maskgct.pt --out DIR

Reads train/manifest.jsonl + train/audio.f32 and computes, once (cached as items.npz in the
work dir): the contract log-mel of every clip and its semantic tokens, i.e. the
synthesiser's phone alignment (`align_symbols`, `align_ends`) turned into one phone id per
frame by models/py/tts/data/alignments.py `frame_labels`, then semantic.py
`semantic_tokens`. Sets the stored statistics (per-bin mel mean/std, frames_per_phone =
mel frames per G2P token `ids`, what inference sees), then three stages, each on a
wall-clock budget with AdamW, warm-up and cosine decay:
1. codec (codebooks started from data frames; reconstruction + codebook + commitment);
2. every clip's acoustic codes from the frozen codec;
3. T2S and S2A, interleaved step by step (masked cross-entropy).
T2S sees each phone at its aligned centre (models/py/tts/data/token_durations.py) and
the per-voice duration table inference uses is stored in the config (--even-positions: the
older evenly spread layout). The checkpoint ({"config", "model", "step"}) is what export.py reads (with --data it also
writes one voice prompt per teacher voice). --init continues a run (--codec-minutes 0 keeps
its codec); models/embedded/tts-maskgct's MODEL_CARD.md gives the shipped commands.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict
from typing import List, Tuple

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import mel_spec  # noqa: E402
from ardit.train import batches, object_array  # noqa: E402
from data.alignments import frame_labels  # noqa: E402
from data.token_durations import build_table, clip_timelines, token_centres  # noqa: E402
from maskgct.config import MaskGctConfig, tiny_fixture_config  # noqa: E402
from maskgct.model import MaskGct, num_parameters  # noqa: E402
from maskgct.semantic import semantic_tokens  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "models", "py", "work", "tts", "data")
WORK = os.path.join(ROOT, "models", "py", "work", "tts-maskgct")

Item = Tuple[np.ndarray, np.ndarray, np.ndarray]  # phone ids [P], per-frame phone ids [T], log-mel [T, 80]


def load_items(data: str, cache: str) -> List[Item]:
    manifest = os.path.join(data, "train", "manifest.jsonl")
    if os.path.exists(cache) and os.path.getmtime(cache) > os.path.getmtime(manifest):
        z = np.load(cache, allow_pickle=True)
        return list(zip(z["ids"], z["labels"], z["mels"]))
    audio = np.memmap(os.path.join(data, "train", "audio.f32"), dtype="<f4", mode="r")
    items: List[Item] = []
    with open(manifest) as f:
        for line in f:
            row = json.loads(line)
            wav = torch.from_numpy(np.array(audio[row["offset"]:row["offset"] + row["samples"]]))
            lm = mel_spec.log_mel(wav).T.contiguous().numpy().astype(np.float32)  # [T, 80]
            table = dict(zip(row["align_symbols"], row["align_ids"]))
            labels = frame_labels(row["align_symbols"], row["align_ends"], lm.shape[0], table)
            items.append((np.asarray(row["ids"], dtype=np.int64), labels, lm))
    os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
    np.savez(cache, ids=object_array([i[0] for i in items]), labels=object_array([i[1] for i in items]),
             mels=object_array([i[2] for i in items]))
    return items


def smoke_items(cfg: MaskGctConfig, n: int = 24) -> List[Item]:
    rng = np.random.default_rng(0)
    items = []
    for _ in range(n):
        ids = rng.integers(9, cfg.vocab_size, int(rng.integers(4, 10))).astype(np.int64)
        labels = np.repeat(ids, 3)
        t = np.arange(labels.size)[:, None]
        lm = (-6 + 2 * np.sin(labels[:, None] * 0.3 + np.arange(cfg.n_mels)[None] * 0.05 + 0.1 * t)).astype(np.float32)
        items.append((ids, labels, lm))
    return items


def set_statistics(cfg: MaskGctConfig, items: List[Item]) -> None:
    frames = np.concatenate([m for _, _, m in items]).astype(np.float64)
    cfg.mel_mean = frames.mean(0).tolist()
    cfg.mel_std = np.maximum(frames.std(0), 1e-3).tolist()
    cfg.frames_per_phone = float(sum(m.shape[0] for _, _, m in items) / sum(len(i) for i, _, _ in items))


def collate(items: List[Item], codes: List[np.ndarray] | None, idx: List[int], cfg: MaskGctConfig,
            timelines: List[Tuple[float, np.ndarray]] | None = None):
    """Padded batch; with `timelines` (token_durations.py) "phone_pos" holds each phone's aligned
    centre in frames, else None (evenly spread)."""
    mean = torch.tensor(cfg.mel_mean, dtype=torch.float32)
    std = torch.tensor(cfg.mel_std, dtype=torch.float32)
    p = max(len(items[i][0]) for i in idx)
    f = max(items[i][2].shape[0] for i in idx)
    phones = torch.zeros(len(idx), p, dtype=torch.int64)
    sem = torch.zeros(len(idx), f, dtype=torch.int64)
    mels = torch.zeros(len(idx), f, cfg.n_mels)
    ac = torch.zeros(len(idx), f, cfg.codec_layers, dtype=torch.int64)
    for b, i in enumerate(idx):
        ids, labels, lm = items[i]
        phones[b, :len(ids)] = torch.from_numpy(ids)
        sem[b, :len(labels)] = torch.from_numpy(semantic_tokens(labels, cfg.sem_states))
        mels[b, :lm.shape[0]] = (torch.from_numpy(lm) - mean) / std
        if codes is not None:
            ac[b, :lm.shape[0]] = torch.from_numpy(codes[i])
    pos = None
    if timelines is not None:
        pos = torch.zeros(len(idx), p)
        for b, i in enumerate(idx):
            c = token_centres(*timelines[i])
            pos[b, :len(c)] = torch.from_numpy(c.astype(np.float32))
    return {"phones": phones, "phone_lens": torch.tensor([len(items[i][0]) for i in idx]), "sem": sem, "phone_pos": pos,
            "mels": mels, "codes": ac, "frame_lens": torch.tensor([items[i][2].shape[0] for i in idx])}


def run_stage(name: str, modules, loss_fn, train, minutes: float, args, rng, every_200=None) -> int:
    params = [p for m in modules for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    budget = minutes * 60
    start = time.time()
    step = 0
    for m in modules:
        m.train()
    while step < args.max_steps and time.time() - start < budget:
        for idx in batches(train, args.batch_frames, rng):
            elapsed = time.time() - start
            if step >= args.max_steps or elapsed >= budget:
                break
            progress = min(1.0, elapsed / budget)
            lr = args.lr * min(1.0, (step + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * progress))
            for g in opt.param_groups:
                g["lr"] = lr
            out = loss_fn(idx)
            opt.zero_grad()
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            step += 1
            if step % 50 == 0 or args.smoke:
                parts = " ".join(f"{k} {float(v):.4f}" for k, v in out.items() if v.numel() == 1 and k != "layer")
                print(f"{name} step {step} {elapsed / 60:.1f} min lr {lr:.2e} {parts}", flush=True)
            if every_200 is not None and step % 200 == 0:
                every_200(step)
    for m in modules:
        m.eval()
    return step


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--out", default=os.path.join(WORK, "run"))
    ap.add_argument("--cache", default=os.path.join(WORK, "items.npz"))
    ap.add_argument("--codec-minutes", type=float, default=3.0)
    ap.add_argument("--t2s-minutes", type=float, default=15.0)
    ap.add_argument("--s2a-minutes", type=float, default=15.0)
    ap.add_argument("--max-steps", type=int, default=1_000_000)
    ap.add_argument("--batch-frames", type=int, default=6000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="tiny config on synthetic items, a few steps")
    ap.add_argument("--even-positions", action="store_true",
                    help="no duration table: phones spread evenly (how models before the table trained)")
    ap.add_argument("--codec-layers", type=int, default=None, help="residual VQ stages (default: config.py)")
    ap.add_argument("--codec-dim", type=int, default=None)
    ap.add_argument("--codec-hidden", type=int, default=None)
    ap.add_argument("--codec-enc-kernel", type=int, default=None)
    ap.add_argument("--codec-dec-blocks", type=int, default=None)
    ap.add_argument("--t2s-from", default=None, help="checkpoint whose T2S weights to start from (T2S does not "
                    "depend on the codec: its tokens are the phone labels)")
    ap.add_argument("--s2a-from", default=None, help="checkpoint whose S2A tensors of the same shape to start "
                    "from (the transformer; the codec-sized embeddings and heads start fresh)")
    ap.add_argument("--s2a-only", action="store_true", help="the token stage trains S2A alone, T2S kept as loaded")
    ap.add_argument("--init", default=None, help="checkpoint to continue from (same data; use --codec-minutes 0 "
                    "to keep its codec, and so the codes its T2S/S2A learned)")
    args = ap.parse_args()
    if args.smoke:
        args.max_steps = min(args.max_steps, 3)
        args.warmup = 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    overrides = {k: v for k, v in (("codec_layers", args.codec_layers), ("codec_dim", args.codec_dim),
                                   ("codec_hidden", args.codec_hidden), ("codec_enc_kernel", args.codec_enc_kernel),
                                   ("codec_dec_blocks", args.codec_dec_blocks)) if v is not None}
    cfg = tiny_fixture_config() if args.smoke else MaskGctConfig()
    for k, v in overrides.items():
        setattr(cfg, k, v)
    items = smoke_items(cfg) if args.smoke else load_items(args.data, args.cache)
    set_statistics(cfg, items)
    model = MaskGct(cfg)
    if args.init:  # continue a run: all weights and statistics from its checkpoint, a fresh schedule
        ck = torch.load(args.init, map_location="cpu")
        cfg = MaskGctConfig(**ck["config"])
        model = MaskGct(cfg)
        model.load_state_dict(ck["model"])
    if args.t2s_from:
        ck = torch.load(args.t2s_from, map_location="cpu")
        model.t2s.load_state_dict({k[4:]: v for k, v in ck["model"].items() if k.startswith("t2s.")})
    if args.s2a_from:
        ck = torch.load(args.s2a_from, map_location="cpu")
        own = model.s2a.state_dict()
        taken = {k[4:]: v for k, v in ck["model"].items()
                 if k.startswith("s2a.") and k[4:] in own and own[k[4:]].shape == v.shape}
        model.s2a.load_state_dict(taken, strict=False)
        print(f"s2a: {len(taken)} of {len(own)} tensors from {args.s2a_from}; fresh: "
              f"{sorted(set(own) - set(taken))}", flush=True)
    timelines = None
    if not args.smoke and not args.even_positions:
        with open(os.path.join(args.data, "train", "manifest.jsonl")) as f:
            rows = [json.loads(line) for line in f]
        timelines = clip_timelines(rows, [m.shape[0] for _, _, m in items])
        names = [r["voice"].split("/")[-1] for r in rows]
        cfg.duration_voices, cfg.token_frames, cfg.lead_frames = build_table(rows, timelines, names, cfg.vocab_size)
    print(f"{len(items)} clips, {num_parameters(model)} parameters, frames_per_phone {cfg.frames_per_phone:.3f}",
          flush=True)
    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "maskgct.pt")

    first = collate(items, None, list(range(min(len(items), 64))), cfg)
    valid = torch.arange(first["mels"].shape[1]).unsqueeze(0) < first["frame_lens"].unsqueeze(1)
    if not args.init:
        model.codec.init_codebooks(first["mels"][valid][:20000].unsqueeze(0), torch.Generator().manual_seed(args.seed))
    steps = run_stage("codec", [model.codec], lambda idx: model.codec.forward_train(
        (b := collate(items, None, idx, cfg))["mels"], b["frame_lens"]), items, args.codec_minutes, args, rng)

    codes = []
    for i in range(len(items)):
        b = collate(items, None, [i], cfg)
        codes.append(model.codec.encode(b["mels"])[0].numpy())

    def joint(idx):
        b = collate(items, codes, idx, cfg, timelines)
        if args.s2a_only:
            s2a = model.s2a.forward_train(b["sem"], b["codes"], b["frame_lens"])
            return {"loss": s2a["loss"], "s2a": s2a["ce"]}
        t2s = model.t2s.forward_train(b["phones"], b["phone_lens"], b["sem"], b["frame_lens"], phone_pos=b["phone_pos"])
        s2a = model.s2a.forward_train(b["sem"], b["codes"], b["frame_lens"])
        return {"loss": t2s["loss"] + s2a["loss"], "t2s": t2s["ce"], "s2a": s2a["ce"]}

    # T2S and S2A are independent given the tokens: one interleaved stage over both budgets.
    def save(stage_steps: int) -> None:  # a long run leaves a usable checkpoint as it goes
        torch.save({"config": asdict(cfg), "model": model.state_dict(), "step": steps + stage_steps}, ckpt)

    trained = [model.s2a] if args.s2a_only else [model.t2s, model.s2a]
    steps += run_stage("s2a" if args.s2a_only else "t2s+s2a", trained, joint, items, args.t2s_minutes + args.s2a_minutes,
                       args, rng, save)
    torch.save({"config": asdict(cfg), "model": model.state_dict(), "step": steps}, ckpt)
    print(f"wrote {ckpt} after {steps} steps", flush=True)


if __name__ == "__main__":
    main()

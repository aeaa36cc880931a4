#!/usr/bin/python3
"""Trains the ARDiT-style model on the synthetic TTS data (models/py/tts/data/README.md).

    nice -n 19 /usr/bin/python3 models/py/tts/ardit/train.py --minutes 35 [--threads 2]
    /usr/bin/python3 models/py/tts/ardit/train.py --smoke      # synthetic data, a few steps
    /usr/bin/python3 models/py/tts/ardit/export.py --checkpoint models/py/work/tts-ardit/run/ardit.pt --out DIR

Reads train/manifest.jsonl + train/audio.f32, computes contract log-mels once (cached as
mels.npz in the work dir), pads every clip's mel to a multiple of K frames with the log floor
(silence), and sets the stored statistics: per-bin mean/std and frames_per_phone = mean mel
frames per phone token of our G2P (`ids`, what inference sees). Length-bucketed batches,
AdamW with warm-up and cosine decay, gradient clipping, a wall-clock budget; the checkpoint
({"config", "model", "step"}) is what export.py reads. Multi-voice by default: each clip's
teacher voice becomes a voice token (config.py `text_tokens`; --single-voice pools them).
Text tokens sit at their aligned centres (models/py/tts/data/token_durations.py, from the
manifest's teacher alignment), and the per-voice duration table inference places them by is
stored in the config (--even-positions: the older evenly spread layout, no table).
--init continues a run from its checkpoint with a fresh schedule; --aux-weight and
--input-noise set the training-only knobs of config.py. models/embedded/tts-ardit's
MODEL_CARD.md gives the commands of the shipped model (three runs, 2,290 steps).
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
from typing import List, Optional, Tuple

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import mel_spec  # noqa: E402
from ardit.config import ArditConfig, text_tokens, tiny_fixture_config  # noqa: E402
from ardit.model import Ardit, num_parameters  # noqa: E402
from data.token_durations import build_table, clip_timelines, token_centres  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "models", "py", "work", "tts", "data")
WORK = os.path.join(ROOT, "models", "py", "work", "tts-ardit")

Item = Tuple[np.ndarray, np.ndarray]  # phone ids int64 [P], log-mel float32 [F, 80] (F multiple of K)


def load_items(data: str, patch: int, cache: str) -> List[Item]:
    manifest = os.path.join(data, "train", "manifest.jsonl")
    if os.path.exists(cache) and os.path.getmtime(cache) > os.path.getmtime(manifest):
        z = np.load(cache, allow_pickle=True)
        return list(zip(z["ids"], z["mels"]))
    audio = np.memmap(os.path.join(data, "train", "audio.f32"), dtype="<f4", mode="r")
    items: List[Item] = []
    with open(manifest) as f:
        for line in f:
            row = json.loads(line)
            wav = torch.from_numpy(np.array(audio[row["offset"]:row["offset"] + row["samples"]]))
            lm = mel_spec.log_mel(wav).T.contiguous().numpy().astype(np.float32)  # [F, 80]
            pad = (-lm.shape[0]) % patch
            if pad:
                lm = np.concatenate([lm, np.full((pad, lm.shape[1]), math.log(mel_spec.LOG_FLOOR), np.float32)])
            items.append((np.asarray(row["ids"], dtype=np.int64), lm))
    os.makedirs(os.path.dirname(os.path.abspath(cache)), exist_ok=True)
    np.savez(cache, ids=object_array([i for i, _ in items]), mels=object_array([m for _, m in items]))
    return items


def object_array(arrays: List[np.ndarray]) -> np.ndarray:
    out = np.empty(len(arrays), dtype=object)
    for i, a in enumerate(arrays):  # element-wise: np.array(list) would stack equal shapes
        out[i] = a
    return out


def smoke_items(cfg: ArditConfig, n: int = 24) -> List[Item]:
    rng = np.random.default_rng(0)
    items = []
    for _ in range(n):
        p = int(rng.integers(4, 12))
        frames = p * 4
        t = np.arange(frames)[:, None]
        lm = (-6 + 2 * np.sin(t * 0.2 + np.arange(cfg.n_mels)[None] * 0.05)).astype(np.float32)
        items.append((rng.integers(9, cfg.vocab_size, p).astype(np.int64), lm))
    return items


def set_statistics(cfg: ArditConfig, items: List[Item]) -> None:
    frames = np.concatenate([m for _, m in items]).astype(np.float64)
    cfg.mel_mean = frames.mean(0).tolist()
    cfg.mel_std = np.maximum(frames.std(0), 1e-3).tolist()
    cfg.frames_per_phone = float(sum(m.shape[0] for _, m in items) / sum(len(i) for i, _ in items))


def batches(items: List[Item], max_frames: int, rng: random.Random):
    """Length-sorted buckets of about max_frames padded frames, in random order."""
    order = sorted(range(len(items)), key=lambda i: items[i][1].shape[0] + rng.random())
    out, cur, longest = [], [], 0
    for i in order:
        longest_next = max(longest, items[i][1].shape[0])
        if cur and longest_next * (len(cur) + 1) > max_frames:
            out.append(cur)
            cur, longest_next = [], items[i][1].shape[0]
        cur.append(i)
        longest = longest_next
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def load_rows(data: str) -> List[dict]:
    """The training manifest's rows, in the order of load_items."""
    with open(os.path.join(data, "train", "manifest.jsonl")) as f:
        return [json.loads(line) for line in f]


def load_voices(data: str) -> List[str]:
    """Each training clip's voice name, in manifest order (the order of load_items)."""
    return [r["voice"] for r in load_rows(data)]


def voice_name(teacher: str) -> str:
    """festival/kal_diphone -> kal_diphone: the name a request's `voice` field uses."""
    return teacher.split("/")[-1]


Timeline = Tuple[float, np.ndarray]  # leading frames, frames per G2P token (token_durations.py)


def text_positions(cfg: ArditConfig, timeline: Timeline, with_voice: bool) -> np.ndarray:
    """Aligned centres of the prefill's text tokens in patches; the voice token (first, when
    the model has voices) sits in the middle of the leading silence."""
    lead, durs = timeline
    centres = token_centres(lead, durs)
    if with_voice:
        centres = np.concatenate([[lead / 2], centres])
    return (centres / cfg.patch).astype(np.float32)


def collate(items: List[Item], idx: List[int], cfg: ArditConfig, voices: Optional[List[int]] = None,
            timelines: Optional[List[Timeline]] = None):
    """Padded batch; with `voices` (index per item) each phone row starts with its voice token;
    with `timelines` the text tokens get their aligned positions (else evenly spread)."""
    mean = torch.tensor(cfg.mel_mean, dtype=torch.float32)
    std = torch.tensor(cfg.mel_std, dtype=torch.float32)
    rows = [text_tokens(cfg, items[i][0].tolist(), None if voices is None else voices[i]) for i in idx]
    p = max(len(r) for r in rows)
    f = max(items[i][1].shape[0] for i in idx)
    phones = torch.zeros(len(idx), p, dtype=torch.int64)
    mels = torch.zeros(len(idx), f, cfg.n_mels)
    for b, i in enumerate(idx):
        phones[b, :len(rows[b])] = torch.tensor(rows[b], dtype=torch.int64)
        mels[b, :items[i][1].shape[0]] = (torch.from_numpy(items[i][1]) - mean) / std
    pos = None
    if timelines is not None:
        pos = torch.zeros(len(idx), p)
        for b, i in enumerate(idx):
            pos[b, :len(rows[b])] = torch.from_numpy(text_positions(cfg, timelines[i], voices is not None))
    return (phones, torch.tensor([len(r) for r in rows]), mels, torch.tensor([items[i][1].shape[0] for i in idx]),
            pos)


def evaluate(model: Ardit, items: List[Item], groups, cfg: ArditConfig, voices: Optional[List[int]],
             timelines: Optional[List[Timeline]]) -> dict:
    model.eval()
    tot = {"loss": 0.0, "flow": 0.0, "stop": 0.0, "aux": 0.0}
    with torch.no_grad():
        for n, idx in enumerate(groups):
            *batch, pos = collate(items, idx, cfg, voices, timelines)
            out = model.forward_train(*batch, generator=torch.Generator().manual_seed(n), phone_pos=pos)
            for k in tot:
                tot[k] += float(out[k]) / len(groups)
    model.train()
    return tot


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--out", default=os.path.join(WORK, "run"))
    ap.add_argument("--mel-cache", default=os.path.join(WORK, "mels.npz"))
    ap.add_argument("--minutes", type=float, default=35.0)
    ap.add_argument("--max-steps", type=int, default=1_000_000)
    ap.add_argument("--batch-frames", type=int, default=6000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="tiny config on synthetic items, a few steps")
    ap.add_argument("--init", default=None, help="checkpoint to continue from (same data)")
    ap.add_argument("--single-voice", action="store_true", help="no voice tokens: one voice, or all voices pooled")
    ap.add_argument("--aux-weight", type=float, default=None, help="auxiliary regression loss weight (config.py)")
    ap.add_argument("--input-noise", type=float, default=None, help="noise on the previous patches read (config.py)")
    ap.add_argument("--even-positions", action="store_true",
                    help="no duration table: text tokens spread evenly (how models before the table trained)")
    args = ap.parse_args()
    if args.smoke:
        args.max_steps = min(args.max_steps, 3)
        args.warmup = 1
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    cfg = tiny_fixture_config() if args.smoke else ArditConfig()
    items = smoke_items(cfg) if args.smoke else load_items(args.data, cfg.patch, args.mel_cache)
    set_statistics(cfg, items)
    voice_of: Optional[List[int]] = None
    if args.smoke:  # two made-up voices, so the voice-token path runs too
        cfg.voices = ["a", "b"]
        voice_of = [i % 2 for i in range(len(items))]
    elif not args.single_voice:
        names = [voice_name(v) for v in load_voices(args.data)]
        cfg.voices = sorted(set(names))
        voice_of = [cfg.voices.index(n) for n in names]
    held = items[: max(2, len(items) // 50)]
    train = items[len(held):]
    held_voices = voice_of[:len(held)] if voice_of else None
    train_voices = voice_of[len(held):] if voice_of else None
    step0 = 0
    if args.init:  # continue a run: weights (and statistics, voices) from its checkpoint, a fresh schedule
        ck = torch.load(args.init, map_location="cpu")
        cfg = ArditConfig(**ck["config"])
        step0 = int(ck.get("step", 0))
    for name in ("aux_weight", "input_noise"):  # training knobs may change when continuing
        if getattr(args, name) is not None:
            setattr(cfg, name, getattr(args, name))
    if args.init:
        model = Ardit(cfg)
        missing, unexpected = model.load_state_dict(ck["model"], strict=False)
        if unexpected or any(not k.startswith("aux.") for k in missing):
            raise SystemExit(f"{args.init}: weights do not fit (missing {missing}, unexpected {unexpected})")
    else:
        model = Ardit(cfg)
    timelines: Optional[List[Timeline]] = None
    if not args.smoke and not args.even_positions:
        rows = load_rows(args.data)
        timelines = clip_timelines(rows, [m.shape[0] for _, m in items])
        names = [voice_name(r["voice"]) for r in rows] if cfg.voices else ["*"] * len(rows)
        cfg.duration_voices, cfg.token_frames, cfg.lead_frames = build_table(rows, timelines, names, cfg.vocab_size)
        if not cfg.voices:  # a single-voice model has only the pooled row
            cfg.duration_voices, cfg.token_frames, cfg.lead_frames = ["*"], cfg.token_frames[-1:], cfg.lead_frames[-1:]
    held_lines = timelines[:len(held)] if timelines else None
    train_lines = timelines[len(held):] if timelines else None
    print(f"{len(train)} training / {len(held)} held-out clips, {num_parameters(model)} parameters, "
          f"frames_per_phone {cfg.frames_per_phone:.3f}, voices {cfg.voices}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    budget = args.minutes * 60
    held_groups = batches(held, args.batch_frames, random.Random(1))
    start = time.time()
    step = 0
    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "ardit.pt")

    def save():
        torch.save({"config": asdict(cfg), "model": model.state_dict(), "step": step0 + step}, ckpt)

    model.train()
    while step < args.max_steps and time.time() - start < budget:
        for idx in batches(train, args.batch_frames, rng):
            elapsed = time.time() - start
            if step >= args.max_steps or elapsed >= budget:
                break
            progress = min(1.0, elapsed / budget)
            lr = args.lr * min(1.0, (step + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * progress))
            for g in opt.param_groups:
                g["lr"] = lr
            *batch, pos = collate(train, idx, cfg, train_voices, train_lines)
            out = model.forward_train(*batch, phone_pos=pos)
            opt.zero_grad()
            out["loss"].backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            if step % 50 == 0 or args.smoke:
                print(f"step {step} {elapsed / 60:.1f} min lr {lr:.2e} loss {float(out['loss']):.4f} "
                      f"flow {float(out['flow']):.4f} stop {float(out['stop']):.4f} aux {float(out['aux']):.4f}",
                      flush=True)
            if step % 500 == 0:
                print(f"held-out {evaluate(model, held, held_groups, cfg, held_voices, held_lines)}", flush=True)
                save()
    save()
    print(f"held-out {evaluate(model, held, held_groups, cfg, held_voices, held_lines)}; wrote {ckpt} at step {step}", flush=True)


if __name__ == "__main__":
    main()

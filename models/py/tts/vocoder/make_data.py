#!/usr/bin/python3
"""Synthetic speech for the vocoder: ~1 h of festival + flite at 16 kHz, and a held-out set.

    nice -n 19 /usr/bin/python3 models/py/tts/vocoder/make_data.py [--quick]

Writes models/py/work/tts-vocoder/data/{train,heldout}.npz: `audio` (int16, all clips end to
end), `offsets` (clip i is audio[offsets[i]:offsets[i+1]]), `texts`, `voices`. Clips are
peak-normalised to 0.9. Voices reuse models/py/digits (tts_engines + Voice); espeak-ng is left
out on purpose (pocketsphinx cannot score it, tts-families.md 5.3). Held-out sentences are fresh
template fills (different seed, disjoint texts) spoken by the same voices: copy-synthesis
measures the vocoder on unseen content, not on an unseen speaker.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))  # models/py
sys.path.insert(0, HERE)

from digits.tts_engines import synthesize  # noqa: E402
from digits.voices import Voice  # noqa: E402
from sentences import free_sentences, template_sentences  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "models", "py", "work", "tts-vocoder", "data")


def voices() -> list[Voice]:
    out = []
    for speaker, f0s in (("slt", (160, 200)), ("awb", (95, 125)), ("kal16", (95, 125)), ("rms", (0,))):
        for stretch in (0.9, 1.0, 1.15):
            for f0 in f0s:
                out.append(Voice("flite", speaker, f"ds{stretch}_f0{f0}", (("duration_stretch", stretch),
                                                                          ("f0_mean", f0))))
    for speaker in ("kal_diphone", "ked_diphone"):
        for stretch in (0.9, 1.0, 1.15):
            for f0 in (95, 120):
                out.append(Voice("festival", speaker, f"ds{stretch}_f0{f0}", (("duration_stretch", stretch),
                                                                              ("f0_mean", f0))))
    for stretch in (0.9, 1.0, 1.15):
        for cents in (-150, 0, 150):
            out.append(Voice("festival", "cmu_us_slt_arctic_hts", f"ds{stretch}_pc{cents}",
                             (("duration_stretch", stretch), ("pitch_cents", cents))))
    return out


def speakers(vs: list[Voice]) -> dict[str, list[Voice]]:
    by: dict[str, list[Voice]] = {}
    for v in vs:
        by.setdefault(v.speaker_key, []).append(v)
    return by


def assign(texts: list[str], rng: np.random.Generator, vs: list[Voice]) -> list[tuple[Voice, str]]:
    """Speaker uniformly (7 speakers), then one of its prosody variants."""
    by = speakers(vs)
    keys = sorted(by)
    items = []
    for text in texts:
        variants = by[keys[int(rng.integers(len(keys)))]]
        items.append((variants[int(rng.integers(len(variants)))], text))
    return items


def save(path: str, items: list[tuple[Voice, str]], audios: list[np.ndarray]) -> float:
    clips = []
    for a in audios:
        peak = float(np.max(np.abs(a))) if a.size else 0.0
        clips.append(a * (0.9 / peak) if peak > 0 else a)
    offsets = np.cumsum([0] + [len(c) for c in clips]).astype(np.int64)
    audio = (np.clip(np.concatenate(clips), -1, 32767 / 32768) * 32768).round().astype(np.int16)
    np.savez(path, audio=audio, offsets=offsets, texts=np.array([t for _, t in items]),
             voices=np.array([v.name for v, _ in items]))
    return len(audio) / 16000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a few dozen clips, for a smoke test")
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    vs = voices()
    n_train, n_held = (40, 14) if args.quick else (1150, 70)
    held = template_sentences(n_held, seed=args.seed + 1)
    train = template_sentences(n_train, seed=args.seed, exclude=set(held))
    free = free_sentences()
    if args.quick:
        free = free[:6]
    rng = np.random.default_rng(args.seed)
    train_items = assign(train + free + free, rng, vs)  # each free sentence twice, by two random voices
    held_items = assign(held, rng, vs)
    t0 = time.time()
    held_audio = synthesize(held_items)
    h_secs = save(os.path.join(OUT, "heldout.npz"), held_items, held_audio)
    train_audio = synthesize(train_items)
    t_secs = save(os.path.join(OUT, "train.npz"), train_items, train_audio)
    stats = {"train_clips": len(train_items), "train_hours": t_secs / 3600, "heldout_clips": len(held_items),
             "heldout_seconds": h_secs, "voices": len(vs), "wall_seconds": time.time() - t0, "seed": args.seed}
    with open(os.path.join(OUT, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()

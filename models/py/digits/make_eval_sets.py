"""Builds the fixed, seeded evaluation sets under models/py/work/eval/:

  theo/               digit strings (3-10 digits) from theo's FSDD clips, 16 kHz
  theo-8k/            the same strings at 8 kHz, as telephony users send them
  heldout-synthetic/  strings from the held-out TTS voices: half concatenated isolated words,
                      half whole strings synthesised directly

Clean audio (no augmentation); pauses as in training but with at least 200 ms of leading and
trailing silence, which streaming recognisers need to start and to finalise.

    /usr/bin/python3 models/py/digits/make_eval_sets.py [--count 200] [--quick]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

from .audio_io import MODEL_RATE, read_wav_16k, resample, write_wav  # noqa: E402
from .digit_text import random_digits, speak, tts_text  # noqa: E402
from .eval_manifest import write_manifest  # noqa: E402
from .fsdd import dev_clips  # noqa: E402
from .make_inventory import synthesize_words  # noqa: E402
from .string_builder import PauseConfig, assemble, draw_gaps  # noqa: E402
from .trim import trim_silence  # noqa: E402
from .tts_engines import synthesize  # noqa: E402
from .voices import HELD_OUT_SPEAKERS, VoicePicker, voice_catalogue  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EVAL_DIR = os.path.abspath(os.path.join(HERE, "..", "work", "eval"))
EVAL_PAUSES = PauseConfig(edge_ms=(200.0, 800.0))
MIN_DIGITS, MAX_DIGITS = 3, 10


def _fresh_dir(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.join(path, "wav"))
    return path


def _row(name: str, audio: np.ndarray, rate: int, words: list[str], digits: str, voice: str) -> dict:
    return {"path": f"wav/{name}.wav", "words": " ".join(words), "digits": digits,
            "duration": round(len(audio) / rate, 3), "voice": voice}


def build_theo_sets(eval_dir: str, count: int, seed: int) -> dict[str, int]:
    """theo only ever says "zero", so these strings have no "oh"."""
    rng = np.random.default_rng([seed, 10])
    takes: dict[str, list[np.ndarray]] = {}
    for c in dev_clips():
        takes.setdefault(c.digit, []).append(trim_silence(read_wav_16k(c.path)))
    wide, narrow = _fresh_dir(os.path.join(eval_dir, "theo")), _fresh_dir(os.path.join(eval_dir, "theo-8k"))
    rows16, rows8 = [], []
    for i in range(count):
        spoken = speak(random_digits(rng, MIN_DIGITS, MAX_DIGITS), rng, allow_oh=False)
        clips = [takes[d][int(rng.integers(len(takes[d])))] for d in spoken.digits]
        audio = assemble(clips, draw_gaps(rng, spoken.groups, EVAL_PAUSES))
        audio8 = resample(audio, MODEL_RATE, 8000)  # theo is natively 8 kHz: nothing is lost
        name = f"theo-{i:04d}"
        write_wav(os.path.join(wide, "wav", name + ".wav"), audio, MODEL_RATE)
        write_wav(os.path.join(narrow, "wav", name + ".wav"), audio8, 8000)
        rows16.append(_row(name, audio, MODEL_RATE, list(spoken.words), spoken.digits, "fsdd/theo"))
        rows8.append(_row(name, audio8, 8000, list(spoken.words), spoken.digits, "fsdd/theo"))
    write_manifest(wide, rows16)
    write_manifest(narrow, rows8)
    return {"theo": len(rows16), "theo-8k": len(rows8)}


def build_heldout_set(eval_dir: str, count: int, seed: int, quick: bool, workers: int = 2) -> dict[str, int]:
    rng = np.random.default_rng([seed, 11])
    voices = [v for v in voice_catalogue(quick) if v.held_out]
    by_name = {v.name: v for v in voices}
    picker = VoicePicker(list(by_name), {"flite": 0.5, "espeak": 0.5})  # one engine per held-out speaker
    w_clips, w_words, w_names = synthesize_words(voices, workers)
    table = {(n, w): c for c, w, n in zip(w_clips, w_words, w_names)}
    out = _fresh_dir(os.path.join(eval_dir, "heldout-synthetic"))
    plans, tts_items = [], []
    for i in range(count):
        voice = picker.pick(rng)
        spoken = speak(random_digits(rng, MIN_DIGITS, MAX_DIGITS), rng)
        whole = i % 2 == 1
        plans.append((voice, spoken, whole))
        if whole:
            tts_items.append((by_name[voice], tts_text(spoken, rng)))
    synthesized = iter(synthesize(tts_items, workers))
    rows = []
    for i, (voice, spoken, whole) in enumerate(plans):
        if whole:
            edges = draw_gaps(rng, (1,), EVAL_PAUSES)
            audio = assemble([trim_silence(next(synthesized))], edges)
        else:
            clips = [table[(voice, w)] for w in spoken.words]
            audio = assemble(clips, draw_gaps(rng, spoken.groups, EVAL_PAUSES))
        audio = audio * (0.5 / max(float(np.abs(audio).max()), 1e-4))
        name = f"heldout-{i:04d}"
        write_wav(os.path.join(out, "wav", name + ".wav"), audio)
        rows.append(_row(name, audio, MODEL_RATE, list(spoken.words), spoken.digits,
                         voice + ("/whole-string" if whole else "/concatenated")))
    write_manifest(out, rows)
    return {"heldout-synthetic": len(rows)}


def build_eval_sets(eval_dir: str = DEFAULT_EVAL_DIR, count: int = 200, seed: int = 2024, quick: bool = False,
                    workers: int = 2) -> dict[str, int]:
    counts = build_theo_sets(eval_dir, count, seed)
    counts.update(build_heldout_set(eval_dir, count, seed, quick, workers))
    return counts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_EVAL_DIR)
    ap.add_argument("--count", type=int, default=200, help="strings per set")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--quick", action="store_true", help="20 strings per set, fewer held-out variants")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    count = 20 if args.quick else args.count
    t0 = time.time()
    counts = build_eval_sets(args.out, count, args.seed, args.quick, args.workers)
    print(f"eval sets in {args.out}: {counts} ({time.time() - t0:.1f} s); held-out voices: {', '.join(HELD_OUT_SPEAKERS)}")


if __name__ == "__main__":
    main()

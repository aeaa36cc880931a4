"""Regenerates all digit data: the isolated-word inventory, the whole-string TTS bundle and the
eval sets, and prints clip counts per source/speaker, hours and timings.

    /usr/bin/python3 models/py/digits/make_data.py            # full: models/py/work/{digits-data,eval}
    /usr/bin/python3 models/py/digits/make_data.py --quick    # smoke test: models/py/work/quick/...

Deterministic for a given --seed (the TTS tools themselves are deterministic).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

from .bundle import ClipBundle, save_bundle  # noqa: E402
from .dataset import STRINGS_FILE, WORDS_FILE  # noqa: E402
from .make_eval_sets import build_eval_sets  # noqa: E402
from .make_inventory import build_word_inventory  # noqa: E402
from .make_tts_strings import synthesize_strings  # noqa: E402
from .voices import HELD_OUT_SPEAKERS, voice_catalogue  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.abspath(os.path.join(HERE, "..", "work"))
FULL_STRINGS, QUICK_STRINGS = 1200, 40


def per_speaker(bundle: ClipBundle) -> dict[str, dict[str, float]]:
    """{"flite/awb": {"clips": n, "variants": v, "minutes": m}} grouped by engine/speaker."""
    stats: dict[str, dict[str, float]] = defaultdict(lambda: {"clips": 0, "variants": 0, "minutes": 0.0})
    durations = bundle.durations()
    for v_id, name in enumerate(bundle.voices):
        key = "/".join(str(name).split("/")[:2])
        mask = bundle.voice_ids == v_id
        stats[key]["clips"] += int(mask.sum())
        stats[key]["variants"] += 1
        stats[key]["minutes"] += float(durations[mask].sum() / 60)
    return dict(sorted(stats.items()))


def print_table(title: str, bundle: ClipBundle) -> None:
    print(f"{title}: {len(bundle)} clips, {bundle.hours():.2f} h")
    for key, s in per_speaker(bundle).items():
        print(f"    {key:<34} {s['clips']:>6} clips {s['variants']:>4} variants {s['minutes']:7.1f} min")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="few voices/strings, separate output folder")
    ap.add_argument("--out", default=None, help="default models/py/work (or models/py/work/quick)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--strings", type=int, default=None, help=f"TTS strings (default {FULL_STRINGS})")
    ap.add_argument("--eval-count", type=int, default=None, help="strings per eval set (default 200)")
    args = ap.parse_args(argv)
    out = args.out or (os.path.join(WORK, "quick") if args.quick else WORK)
    data_dir, eval_dir = os.path.join(out, "digits-data"), os.path.join(out, "eval")
    timings: dict[str, float] = {}
    t_all = time.time()

    voices = [v for v in voice_catalogue(args.quick, args.seed) if not v.held_out]
    t = time.time()
    words, word_timing = build_word_inventory(voices, args.quick, args.workers)
    save_bundle(os.path.join(data_dir, WORDS_FILE), words)
    timings["word_inventory_s"] = time.time() - t

    t = time.time()
    count = args.strings or (QUICK_STRINGS if args.quick else FULL_STRINGS)
    strings = synthesize_strings(voices, count, args.seed, workers=args.workers)
    save_bundle(os.path.join(data_dir, STRINGS_FILE), strings)
    timings["tts_strings_s"] = time.time() - t

    t = time.time()
    eval_counts = build_eval_sets(eval_dir, args.eval_count or (20 if args.quick else 200), quick=args.quick,
                                  workers=args.workers)
    timings["eval_sets_s"] = time.time() - t
    timings["total_s"] = time.time() - t_all

    print_table("word inventory (training)", words)
    print_table("whole-string TTS utterances (training)", strings)
    print(f"eval sets: {eval_counts} in {eval_dir}")
    print(f"held-out voices (never in training): {', '.join(HELD_OUT_SPEAKERS)}; theo is eval-only")
    print(f"training audio: {words.hours() + strings.hours():.2f} h; bundle sizes "
          f"{words.audio.nbytes / 2**20:.0f} + {strings.audio.nbytes / 2**20:.0f} MiB")
    print("timings: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()) +
          f" (of which TTS words {word_timing['tts_words_s']:.1f} s, dropped TTS words {word_timing['dropped_tts_words']})")
    stats = {"words": per_speaker(words), "tts_strings": per_speaker(strings), "eval": eval_counts,
             "hours": {"words": words.hours(), "tts_strings": strings.hours()}, "timings": timings,
             "held_out_speakers": list(HELD_OUT_SPEAKERS), "seed": args.seed, "quick": args.quick}
    with open(os.path.join(data_dir, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)


if __name__ == "__main__":
    main()

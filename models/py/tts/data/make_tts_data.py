"""Builds the synthetic TTS dataset: template text, our tokens, teacher speech, alignments,
the evaluation texts and the JSGF grammar, in one command.

    nice -n 19 /usr/bin/python3 models/py/tts/data/make_tts_data.py [--quick] [--out DIR]

Writes (default models/py/work/tts/data, or .../data-quick with --quick):
  train/manifest.jsonl   one utterance per line: id, voice, stretch, raw text, normalised
                         text, words, token ids, teacher phone alignment (our symbols, end
                         seconds), and the utterance's place in audio.f32
  train/audio.f32        all training audio, float32 little-endian, 16 kHz mono, end to end
                         (np.memmap(path, dtype="<f4", mode="r")[offset:offset + samples])
  eval/templates.jsonl   held-out template fills (never in train); eval/hifitts.jsonl:
                         hifitts-6097 transcripts (text only: the recordings are not used)
  eval/grammar.gram      JSGF grammar of all templates, for pocketsphinx
  eval/teachers/<engine>-<voice>/{templates,hifitts}/<id>.wav + manifest.jsonl: every
                         teacher voice (held-out one included) reading the eval texts at
                         normal rate: the reference ladder (eval/teacher_ladder.py scores it)
  tokens.json, summary.json

Each training sentence is read once, by one training voice (round robin) at one of three
speaking rates: text variety matters more than parallel readings. The synthesisers read our
normalised text, so audio and tokens say the same words.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    __package__ = "tts.data"

import numpy as np  # noqa: E402

from digits.audio_io import MODEL_RATE, write_wav  # noqa: E402

from .frontend import REPO, Tokenised, inventory, tokenise  # noqa: E402
from .templates import (  # noqa: E402
    TEMPLATES,
    Sentence,
    generate,
    grammar_regex,
    jsgf_grammar,
    literal_pieces,
    pieces,
    slot_values,
)
from .teachers import TEACHERS, synthesize  # noqa: E402

HIFITTS = os.path.join(REPO, "..", "shared", "data", "hifitts-6097", "manifest.json")
DEFAULT_OUT = os.path.join(REPO, "models", "py", "work", "tts", "data")
STRETCHES = (0.88, 1.0, 1.15)  # duration stretch: faster, normal, slower
CHUNK = 400  # utterances synthesised per round (bounds memory)


def read_hifitts(path: str, limit: int | None) -> list[dict]:
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [{"id": f"hifitts-{i:03d}", "text": r["text_no_preprocessing"], "source": r["audio_filepath"]}
            for i, r in enumerate(rows[:limit])]


def compositional(sentence: Sentence, full: Tokenised, spoken: dict[str, Tokenised]) -> bool:
    """Normalising the whole sentence gives the words of its parts normalised alone."""
    words = [w for piece in pieces(sentence) for w in spoken[piece].words]
    return list(full.words) == words


def build_texts(n_train: int, n_eval: int, seed: int) -> dict:
    values = slot_values()
    margin = max(20, n_train // 10)
    train = generate(n_train + margin, seed=seed, values=values)
    evals = generate(n_eval + margin, seed=seed + 1000, exclude={s.text for s in train}, values=values)
    all_pieces = sorted({v for vs in values.values() for v in vs} | set(literal_pieces()))
    texts = all_pieces + [s.text for s in train] + [s.text for s in evals]
    tok = tokenise(texts)
    spoken = dict(zip(all_pieces, tok[:len(all_pieces)]))
    bad = {p: t.oov for p, t in spoken.items() if t.oov}
    if bad:
        raise ValueError(f"slot values or template text with words outside the lexicon: {bad}")
    sent_tok = dict(zip([s.text for s in train] + [s.text for s in evals], tok[len(all_pieces):]))

    def keep(sentences: list[Sentence], n: int) -> tuple[list[Sentence], int]:
        ok = [s for s in sentences if compositional(s, sent_tok[s.text], spoken) and not sent_tok[s.text].oov]
        if len(ok) < n:
            raise RuntimeError(f"only {len(ok)} usable sentences of {n}")
        return ok[:n], len(sentences) - len(ok)

    train, dropped_train = keep(train, n_train)
    evals, dropped_eval = keep(evals, n_eval)
    slot_spoken = {slot: [spoken[v].words for v in vs] for slot, vs in values.items()}
    literal_spoken = {p: spoken[p].words for p in literal_pieces()}
    grammar = jsgf_grammar(slot_spoken, literal_spoken)
    pattern = grammar_regex(grammar)
    outside = [s.text for s in train + evals if not pattern.match(sent_tok[s.text].reference)]
    if outside:
        raise RuntimeError(f"{len(outside)} sentences outside the grammar, e.g. {outside[:3]}")
    return {"train": train, "eval": evals, "tok": sent_tok, "grammar": grammar,
            "dropped_noncompositional": dropped_train + dropped_eval}


def token_row(t: Tokenised) -> dict:
    return {"text": t.text, "words": list(t.words), "ids": list(t.ids), "oov": list(t.oov)}


def write_train(out_dir: str, train: list[Sentence], tok: dict[str, Tokenised], seed: int, workers: int,
                token_ids: dict[str, int]) -> dict:
    teachers = [t for t in TEACHERS if not t.held_out]
    rng = np.random.default_rng([seed, 5])
    order = rng.permutation(len(train))
    plan = [(teachers[k % len(teachers)], float(STRETCHES[int(rng.integers(len(STRETCHES)))])) for k in range(len(train))]
    os.makedirs(out_dir, exist_ok=True)
    offset = 0
    per_voice: dict[str, float] = {}
    with open(os.path.join(out_dir, "audio.f32"), "wb") as audio_f, \
            open(os.path.join(out_dir, "manifest.jsonl"), "w") as man_f:
        for start in range(0, len(train), CHUNK):
            idx = list(range(start, min(start + CHUNK, len(train))))
            items = [(plan[k][0], tok[train[order[k]].text].text, plan[k][1]) for k in idx]
            rendered = synthesize(items, workers)
            for k, r in zip(idx, rendered):
                s = train[order[k]]
                teacher, stretch = plan[k]
                audio = r.audio.astype("<f4")
                audio_f.write(audio.tobytes())
                row = {"id": f"train-{k:05d}", "voice": teacher.name, "stretch": stretch, "band_hz": teacher.band_hz,
                       "template": s.template, "raw": s.text, **token_row(tok[s.text]),
                       "align_symbols": [p for p, _ in r.phones], "align_ids": [token_ids[p] for p, _ in r.phones],
                       "align_ends": [round(e, 4) for _, e in r.phones],
                       "offset": offset, "samples": len(audio), "duration": round(len(audio) / MODEL_RATE, 4)}
                man_f.write(json.dumps(row) + "\n")
                offset += len(audio)
                per_voice[teacher.name] = per_voice.get(teacher.name, 0.0) + len(audio) / MODEL_RATE
            print(f"  train: {idx[-1] + 1}/{len(train)} utterances, {offset / MODEL_RATE / 3600:.2f} h", flush=True)
    return {"utterances": len(train), "hours": offset / MODEL_RATE / 3600, "seconds_by_voice": per_voice}


def write_teacher_eval(out_dir: str, sets: dict[str, list[dict]], workers: int) -> dict:
    """Every teacher reads every eval text at normal rate; WAVs and a manifest per voice."""
    summary = {}
    for teacher in TEACHERS:
        vdir = os.path.join(out_dir, teacher.name.replace("/", "-"))
        rows = []
        for set_name, items in sets.items():
            rendered = synthesize([(teacher, it["text_normalised"], 1.0) for it in items], workers)
            os.makedirs(os.path.join(vdir, set_name), exist_ok=True)
            for it, r in zip(items, rendered):
                path = os.path.join(vdir, set_name, f"{it['id']}.wav")
                write_wav(path, r.audio, MODEL_RATE)
                rows.append({"set": set_name, "id": it["id"], "wav": os.path.relpath(path, vdir), "raw": it["raw"],
                             "text": it["text_normalised"], "duration": round(len(r.audio) / MODEL_RATE, 4)})
        with open(os.path.join(vdir, "manifest.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        summary[teacher.name] = {"held_out": teacher.held_out, "seconds": sum(r["duration"] for r in rows)}
        print(f"  eval audio: {teacher.name} done", flush=True)
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="120 training sentences, 30 eval, 20 hifitts")
    ap.add_argument("--out", default=None)
    ap.add_argument("--train", type=int, default=None, help="training sentences (default 2200)")
    ap.add_argument("--eval", type=int, default=None, help="held-out template sentences (default 100)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-teacher-eval", action="store_true")
    args = ap.parse_args(argv)
    n_train = args.train or (120 if args.quick else 2200)
    n_eval = args.eval or (30 if args.quick else 100)
    out = args.out or (DEFAULT_OUT + "-quick" if args.quick else DEFAULT_OUT)
    times: dict[str, float] = {}

    t0 = time.time()
    texts = build_texts(n_train, n_eval, args.seed)
    hifitts = read_hifitts(HIFITTS, 20 if args.quick else None)
    hifitts_tok = tokenise([h["text"] for h in hifitts])
    tokens = inventory()
    token_ids = {t: i for i, t in enumerate(tokens)}
    times["text_s"] = time.time() - t0

    eval_dir = os.path.join(out, "eval")
    os.makedirs(eval_dir, exist_ok=True)
    with open(os.path.join(eval_dir, "grammar.gram"), "w") as f:
        f.write(texts["grammar"])
    eval_sets = {
        "templates": [{"id": f"tmpl-{i:04d}", "raw": s.text, "template": s.template,
                       **token_row(texts["tok"][s.text])} for i, s in enumerate(texts["eval"])],
        "hifitts": [{"id": h["id"], "raw": h["text"], "source": h["source"], **token_row(t)}
                    for h, t in zip(hifitts, hifitts_tok)],
    }
    for name, rows in eval_sets.items():
        with open(os.path.join(eval_dir, f"{name}.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    with open(os.path.join(out, "tokens.json"), "w") as f:
        json.dump({"tokens": tokens}, f)

    t0 = time.time()
    train = write_train(os.path.join(out, "train"), texts["train"], texts["tok"], args.seed, args.workers, token_ids)
    times["train_synthesis_s"] = time.time() - t0

    teacher_eval = {}
    if not args.no_teacher_eval:
        t0 = time.time()
        sets = {k: [{**r, "text_normalised": r["text"]} for r in rows] for k, rows in eval_sets.items()}
        teacher_eval = write_teacher_eval(os.path.join(eval_dir, "teachers"), sets, args.workers)
        times["eval_synthesis_s"] = time.time() - t0

    summary = {"train": train, "eval_templates": len(eval_sets["templates"]), "eval_hifitts": len(hifitts),
               "hifitts_oov_words": sorted({w for r in eval_sets["hifitts"] for w in r["oov"]}),
               "dropped_noncompositional": texts["dropped_noncompositional"], "templates": len(TEMPLATES),
               "teachers": [{"name": t.name, "held_out": t.held_out, "band_hz": t.band_hz} for t in TEACHERS],
               "stretches": STRETCHES, "teacher_eval": teacher_eval, "times": times, "vocab_size": len(tokens)}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: summary[k] for k in ("train", "times", "dropped_noncompositional")}, indent=1))


if __name__ == "__main__":
    main()

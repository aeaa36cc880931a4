#!/usr/bin/python3
"""Copy-synthesis intelligibility: held-out festival/flite sentences -> log-mel -> {Griffin-Lim in
TypeScript, the Vocos vocoder ONNX through onnxruntime-node (whole and streamed)} -> pocketsphinx,
against the source audio. Two recognisers, as tts-families.md 5.3 recommends: the generic en-us
LM (open vocabulary, the sensitive signal) and the template JSGF grammar (content accuracy).

    nice -n 19 /usr/bin/python3 models/py/tts/vocoder/eval_copy_synthesis.py [--model models/embedded/tts-vocoder]

Needs models/py/work/tts-vocoder/data/heldout.npz (make_data.py). Writes
models/py/work/tts-vocoder/eval/results.json and prints a table. An empty grammar hypothesis
(no path fits) counts as all deletions.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy.io.wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))

from digits.metrics import edit_distance  # noqa: E402
from sentences import jsgf_grammar, vocabulary  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
WORK = os.path.join(ROOT, "models", "py", "work", "tts-vocoder")
PS_MODEL = "/usr/share/pocketsphinx/model/en-us"
HMM = os.path.join(PS_MODEL, "en-us")
CMUDICT = os.path.join(PS_MODEL, "cmudict-en-us.dict")
LM = os.path.join(PS_MODEL, "en-us.lm.bin")


def grammar_dictionary() -> str:
    keep = set(vocabulary())
    with open(CMUDICT) as f:
        return "".join(line for line in f if line.split(" ", 1)[0].split("(")[0] in keep)


def decode(clips: list[np.ndarray], mode: str, workers: int = 2) -> list[str]:
    """pocketsphinx_batch over 16-bit WAVs; mode 'lm' (generic LM + full cmudict) or 'jsgf'."""
    with tempfile.TemporaryDirectory(prefix="ps-tts-") as tmp:
        wav_dir = os.path.join(tmp, "wav")
        os.makedirs(wav_dir)
        ids = [f"u{i:05d}" for i in range(len(clips))]
        for uid, audio in zip(ids, clips):
            pcm = (np.clip(audio, -1, 32767 / 32768) * 32768).round().astype(np.int16)
            scipy.io.wavfile.write(os.path.join(wav_dir, uid + ".wav"), 16000, pcm)
        ctl = os.path.join(tmp, "list.ctl")
        with open(ctl, "w") as f:
            f.write("\n".join(ids) + "\n")
        if mode == "lm":
            lang = ["-lm", LM, "-dict", CMUDICT]
        else:
            gram, dic = os.path.join(tmp, "g.gram"), os.path.join(tmp, "g.dict")
            with open(gram, "w") as f:
                f.write(jsgf_grammar())
            with open(dic, "w") as f:
                f.write(grammar_dictionary())
            lang = ["-jsgf", gram, "-dict", dic]
        per = -(-len(ids) // workers)
        procs = []
        for p in range(workers):
            if p * per >= len(ids):
                break
            cmd = ["nice", "-n", "19", "pocketsphinx_batch", "-adcin", "yes", "-adchdr", "44", "-cepdir", wav_dir,
                   "-cepext", ".wav", "-ctl", ctl, "-ctloffset", str(p * per),
                   "-ctlcount", str(min(per, len(ids) - p * per)), "-hmm", HMM, *lang, "-samprate", "16000",
                   "-hyp", os.path.join(tmp, f"part{p}.hyp"), "-logfn", os.path.join(tmp, f"part{p}.log")]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for p, proc in enumerate(procs):
            if proc.wait() != 0:
                with open(os.path.join(tmp, f"part{p}.log")) as f:
                    raise RuntimeError(f"pocketsphinx_batch failed: {f.read()[-1000:]}")
        hyps: dict[str, str] = {}
        for p in range(len(procs)):
            with open(os.path.join(tmp, f"part{p}.hyp")) as f:
                for line in f:
                    text, _, tail = line.rstrip("\n").rpartition("(")
                    hyps[tail.split()[0]] = text.strip()
    return [hyps.get(uid, "") for uid in ids]


def wer(refs: list[str], hyps: list[str]) -> float:
    errors = sum(edit_distance(r.split(), h.lower().split()) for r, h in zip(refs, hyps))
    return errors / max(1, sum(len(r.split()) for r in refs))


def log_mel_distance(a: np.ndarray, b: np.ndarray) -> float:
    sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))
    import mel_spec
    import torch
    with torch.no_grad():
        x = mel_spec.log_mel(torch.from_numpy(a.astype(np.float64)))
        y = mel_spec.log_mel(torch.from_numpy(b.astype(np.float64)))
    return float((x - y).abs().mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "embedded", "tts-vocoder"))
    ap.add_argument("--out", default=os.path.join(WORK, "eval"))
    ap.add_argument("--limit", type=int, default=0, help="first N clips only (a smoke test)")
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    z = np.load(os.path.join(WORK, "data", "heldout.npz"))
    n = len(z["texts"]) if args.limit <= 0 else min(args.limit, len(z["texts"]))
    offsets = [int(o) for o in z["offsets"][:n + 1]]
    texts = [str(t) for t in z["texts"][:n]]
    voices = [str(v) for v in z["voices"][:n]]
    source = z["audio"][:offsets[-1]].astype(np.float32) / 32768.0
    source.astype("<f4").tofile(os.path.join(args.out, "source.f32"))
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump({"offsets": offsets}, f)
    subprocess.run(["nice", "-n", "19", "npx", "tsx", os.path.join(HERE, "copy_synthesis.ts"), "--dir", args.out,
                    "--model", args.model], check=True, cwd=ROOT)
    with open(os.path.join(args.out, "summary.json")) as f:
        summary = json.load(f)

    def clips(name: str) -> list[np.ndarray]:
        data = np.fromfile(os.path.join(args.out, name), dtype="<f4")
        return [data[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]

    conditions = {"source": clips("source.f32"), "griffin-lim (TS, 32 it.)": clips("gl.f32"),
                  "vocos vocoder (ONNX)": clips("vocos.f32")}
    results: dict = {"clips": len(texts), "words": sum(len(t.split()) for t in texts),
                     "seconds": summary["audioSeconds"], "runtime": summary, "conditions": {}}
    src = conditions["source"]
    for name, audio in conditions.items():
        row = {"wer_generic_lm": wer(texts, decode(audio, "lm")), "wer_grammar": wer(texts, decode(audio, "jsgf"))}
        if name != "source":
            row["log_mel_l1"] = float(np.mean([log_mel_distance(a, b) for a, b in zip(src, audio)]))
        results["conditions"][name] = row
        print(f"{name:28s} generic-LM WER {100 * row['wer_generic_lm']:5.1f}%   grammar WER "
              f"{100 * row['wer_grammar']:5.1f}%" + (f"   log-mel L1 {row['log_mel_l1']:.3f}" if "log_mel_l1" in row
                                                    else ""), flush=True)
    by_engine: dict[str, list[int]] = {}
    for i, v in enumerate(voices):
        by_engine.setdefault(v.split("/")[0], []).append(i)
    results["clips_per_engine"] = {k: len(v) for k, v in by_engine.items()}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results["runtime"]))


if __name__ == "__main__":
    main()

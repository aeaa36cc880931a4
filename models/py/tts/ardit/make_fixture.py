#!/usr/bin/python3
"""Builds the random-weight ARDiT fixture and its Python golden runs.

    /usr/bin/python3 models/py/tts/ardit/make_fixture.py

Writes test/fixtures/tts/ardit-tiny/:
- ar_prefill.onnx, ar_step.onnx, flow_head.onnx: tiny_fixture_config() with seeded random
  weights, exported by export.py (the same code a trained model goes through);
- golden.json + golden.f32: the PyTorch reference generation (sampler.py) on a fixed phone
  sequence for a few option sets, the contract log-mel frames it produced (frame-major,
  float32 little-endian), its stop logits, and the first values of the Philox stream.

Deterministic: fixed seeds, one intra-op thread, deterministic protobuf save. The weight seed
is the first one (from WEIGHT_SEED_START) whose runs keep every stop decision at least
STOP_MARGIN away from the threshold, and whose first case ends on the stop head (not the
clamp): float differences between PyTorch and onnxruntime then cannot flip a decision.
"""
from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import asdict

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

from ardit.config import tiny_fixture_config  # noqa: E402
from ardit.model import Ardit  # noqa: E402
from ardit.philox import normals, uint32_words  # noqa: E402
from ardit.sampler import GenerateOptions, TorchGraphs, generate  # noqa: E402
from export import export_graphs  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "tts", "ardit-tiny")
# "Hello, world." through the run-time front end (models/py/tts/tokenize_text.ts). The TS test
# checks each id against tts/text/phone-tokens.ts (ids are append-only).
SYMBOLS = ["HH", "AH", "L", "OW", ",", "W", "ER", "L", "D", "."]
TOKENS_HEAD = ["<pad>", "<bos>", "<eos>", "sil", "_", ",", ".", "?", "!"]
PHONES = ["AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH",
          "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V",
          "W", "Y", "Z", "ZH"]
TOKENS = TOKENS_HEAD + PHONES
CASES = [
    ("plain", GenerateOptions(seed=1234, flow_steps=4)),
    ("cfg-fast", GenerateOptions(seed=99, flow_steps=3, cfg_scale=2.0, speed=1.25)),
    ("noise-slow", GenerateOptions(seed=7, flow_steps=2, noise_scale=0.7, speed=0.8, stop_threshold=0.6)),
]
WEIGHT_SEED_START = 0
STOP_MARGIN = 0.02  # |logit - logit(threshold)| at every step
RNG_SEED = 1234
RNG_VALUES = 64


def random_model(seed: int) -> Ardit:
    torch.manual_seed(seed)
    cfg = tiny_fixture_config(vocab_size=len(TOKENS))
    g = torch.Generator().manual_seed(seed + 1000)
    cfg.mel_mean = (-6.0 + 2.0 * torch.rand(cfg.n_mels, generator=g)).tolist()
    cfg.mel_std = (1.0 + torch.rand(cfg.n_mels, generator=g)).tolist()
    # A duration table (one pooled row), so the parity covers planned token centres.
    cfg.duration_voices = ["*"]
    cfg.token_frames = [[2.0 + 0.5 * ((7 * t) % 11) for t in range(cfg.vocab_size)]]
    cfg.lead_frames = [3.5]
    model = Ardit(cfg).eval()
    with torch.no_grad():
        # Default init leaves the flow head's output tiny; widen it so the mel is not flat.
        model.head.out.weight.mul_(4.0)
    return model


def margin_ok(result, threshold: float) -> bool:
    edge = math.log(threshold / (1 - threshold))
    return all(abs(s - edge) >= STOP_MARGIN for s in result.stop_logits)


def main() -> None:
    torch.set_num_threads(1)
    ids = [TOKENS.index(s) for s in SYMBOLS]
    for seed in range(WEIGHT_SEED_START, WEIGHT_SEED_START + 200):
        model = random_model(seed)
        graphs = TorchGraphs(model)
        results = [generate(graphs, ids, opts) for _, opts in CASES]
        if results[0].reason == "stop" and all(margin_ok(r, o.stop_threshold) for r, (_, o) in zip(results, CASES)):
            break
    else:
        raise SystemExit("no weight seed gave clear stop decisions")
    print(f"weight seed {seed}: " + ", ".join(f"{n} {r.reason} at {r.steps}/{r.plan.max_steps}"
                                              for (n, _), r in zip(CASES, results)))
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name != "speechstream.json":  # the fixture's manifest is hand-written, not generated
            os.remove(os.path.join(OUT, name))
    export_graphs(model, OUT, {"fixture": "random weights, seed %d" % seed})

    floats = []
    offset = 0
    cases = []
    for (name, opts), res in zip(CASES, results):
        mel = res.mel.astype("<f4")
        cases.append({
            "name": name,
            "options": asdict(opts),
            "planned": res.plan.planned, "minSteps": res.plan.min_steps, "maxSteps": res.plan.max_steps,
            "steps": res.steps, "reason": res.reason, "numFrames": int(mel.shape[0]),
            "offset": offset, "length": int(mel.size),
            "stopLogits": [float(s) for s in res.stop_logits],
        })
        floats.append(mel.reshape(-1))
        offset += mel.size
    np.concatenate(floats).astype("<f4").tofile(os.path.join(OUT, "golden.f32"))
    golden = {
        "generatedBy": "models/py/tts/ardit/make_fixture.py",
        "weightSeed": seed,
        "text": "Hello, world.",
        "symbols": SYMBOLS,
        "ids": ids,
        "cases": cases,
        "rng": {
            "seed": RNG_SEED,
            "words": [int(w) for w in uint32_words(RNG_SEED, 0, 16)],
            "normals": [float(v) for v in normals(RNG_SEED, 0, RNG_VALUES)],
            "wordsAtBlock2e32": [int(w) for w in uint32_words(RNG_SEED, 4 * 2 ** 32, 4)],
        },
    }
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()

"""Exports the trained streaming digits model into models/embedded/digits-fastconformer/ and
proves the exported graphs stream exactly like the PyTorch model.

    /usr/bin/python3 models/py/digits/export_streaming.py          # from work/streaming/model.pt
    /usr/bin/python3 models/py/digits/export_streaming.py --quick  # work/quick/... -> work/quick/embedded/

Files: the zoo's NeMo hybrid layout (encoder.onnx, decoder.onnx, joiner.onnx, ctc-head.onnx,
model.onnx = encoder fused with the CTC head for sherpa, tokens.txt; metadata with the default
lookahead's window and `speechstream_lookaheads`), plus speechstream.json.

Checks, any failure exits non-zero:
1. PyTorch: the cache-aware streaming forward equals the full forward with the chunked mask
   for every lookahead (zoo/check_streaming.py), on synthetic features and on a real string.
2. ONNX under onnxruntime-node: zoo/check_streaming_nemo.mjs runs the exported encoder and
   fused CTC graph window by window as sherpa does and compares with the PyTorch full forward
   at every lookahead, plus one-call graph checks of every file. Its manifest and reference
   live in models/py/work/.../consistency/, next to links to the shipped files, so the shipped
   directory holds only what the runtime needs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

import numpy as np  # noqa: E402
import torch  # noqa: E402

from features_torch import nemo_log_mel  # noqa: E402
from zoo import export_nemo  # noqa: E402
from zoo.check_streaming import (  # noqa: E402
    check_encoder_streaming, covered_frames, full_sequence_reference, reference_features,
)
from zoo.fastconformer import chunk_shift, window_size  # noqa: E402
from zoo.fixtures_nemo import NODE_CHECK, _Reference  # noqa: E402

from .eval_sets import load_set  # noqa: E402
from .streaming_model import DEFAULT_LOOKAHEAD, load_trained  # noqa: E402
from .streaming_tokens import PIECES  # noqa: E402
from .training import fresh_directory  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WORK = os.path.abspath(os.path.join(HERE, "..", "work"))
EMBEDDED = os.path.join(ROOT, "models", "embedded", "digits-fastconformer")
FEATURE_SEED = 20240601
# 98 output frames = 7 * 14: whole calls for R in 0, 1, 6, 13, and more than 70 + a chunk.
REFERENCE_OUTPUT_FRAMES = 98
# A trained model's heads have larger logits than the random fixtures'; these are the
# tolerances of the zoo fixtures scaled the same way (max |diff| / max(1, |ref|)).
ENCODER_TOLERANCE = 1e-4
HEAD_TOLERANCE = 5e-3

SPEECHSTREAM_JSON = {
    "id": "digits-fastconformer",
    "family": "nemo-hybrid-streaming",
    "task": "asr",
    "description": (
        "Embedded default: English spoken digit strings (zero..nine, 'oh'), any length, with pauses. "
        "Cache-aware streaming FastConformer hybrid (CTC + RNN-T), 1.8 M parameters, lookaheads 0/1/6/13 "
        "(80-1120 ms chunks). Trained on FSDD (4 speakers) and synthetic espeak-ng/festival/flite voices; "
        "see MODEL_CARD.md."
    ),
    "featurePreset": "nemo-native-streaming",
    # The CTC head is the more accurate of the two on every eval set (MODEL_CARD.md).
    "defaultDecoder": "ctc",
    "licence": "CC BY-SA 4.0 (trained on the Free Spoken Digit Dataset, CC BY-SA 4.0); see MODEL_CARD.md",
    "languages": ["en"],
    # 2-pass finals vote among the Paraformer and both heads: better than the Paraformer
    # alone on theo and on the held-out synthetic voices at every R (MODEL_CARD.md).
    "secondPassCombine": "vote",
}


def write_speechstream_json(out_dir: str) -> None:
    with open(os.path.join(out_dir, "speechstream.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(SPEECHSTREAM_JSON, indent=2, ensure_ascii=False) + "\n")


def real_features(limit_frames: int) -> np.ndarray:
    """nemo-native-streaming features of one theo string, trimmed to whole calls for every R."""
    wave = torch.from_numpy(load_set("theo", limit=1)[0]["wave"])
    feats, _ = nemo_log_mel(wave)
    m = min(limit_frames, (feats.shape[2] - 9) // 8 // 14 * 14)  # 14 = lcm(R+1) for R in 0, 1, 6, 13
    return feats[0, :, : covered_frames(m)].t().contiguous().numpy()


def torch_checks(model) -> dict:
    synthetic = reference_features(covered_frames(REFERENCE_OUTPUT_FRAMES), 80, FEATURE_SEED)
    result = {"synthetic": check_encoder_streaming(model.encoder, synthetic, model.encoder.config.lookaheads)}
    result["theo"] = check_encoder_streaming(model.encoder, real_features(98), model.encoder.config.lookaheads)
    return result


def _tolerance(output: str, file: str) -> float:
    return HEAD_TOLERANCE if output == "logprobs" or file == "joiner.onnx" else ENCODER_TOLERANCE


def write_consistency_fixture(model, shipped: str, check_dir: str) -> None:
    """manifest.json + reference.bin in check_dir (see zoo/fixtures_nemo.py for the format),
    with symlinks to the shipped ONNX files."""
    if os.path.isdir(check_dir):
        shutil.rmtree(check_dir)
    os.makedirs(check_dir)
    for name in sorted(os.listdir(shipped)):
        if name.endswith(".onnx") or name == "tokens.txt":
            os.symlink(os.path.join(shipped, name), os.path.join(check_dir, name))
    c = model.encoder.config
    d, h = c.d_model, model.head_config.pred_hidden
    ref = _Reference()
    features = reference_features(covered_frames(REFERENCE_OUTPUT_FRAMES), c.feat_in, FEATURE_SEED)
    with torch.no_grad():
        for r in c.lookaheads:
            encoded = full_sequence_reference(model.encoder, features, r).unsqueeze(0)
            ref.streaming("encoder.onnx", r, "outputs", 2, encoded)
            ref.streaming("model.onnx", r, "logprobs", 1, model.ctc(encoded))
    for entry in ref.entries:
        for out in entry["outputs"]:
            out["tolerance"] = _tolerance(out["name"], entry["file"])
    win = window_size(DEFAULT_LOOKAHEAD)
    batch = [
        ref.random_input("audio_signal", (2, c.feat_in, win)),
        ref.int_input("length", torch.int64, [win, win]),
        ref.random_input("cache_last_channel", (2, c.n_layers, c.left_context, d)),
        ref.random_input("cache_last_time", (2, c.n_layers, d, c.conv_kernel - 1)),
        ref.int_input("cache_last_channel_len", torch.int64, [0, 37]),
    ]
    graphs = [
        ("encoder.onnx", export_nemo._StreamingEncoder(model.encoder), batch,
         ["outputs", "encoded_lengths"] + export_nemo.STREAMING_STATE_OUTPUTS),
        ("decoder.onnx", export_nemo._Decoder(model.predictor), [
            ref.int_input("targets", torch.int32, [[model.blank, 5, 9], [3, 3, 11]]),
            ref.int_input("target_length", torch.int32, [3, 3]),
            ref.random_input("h", (model.head_config.pred_rnn_layers, 2, h)),
            ref.random_input("c", (model.head_config.pred_rnn_layers, 2, h)),
        ], export_nemo.DECODER_OUTPUTS),
        ("joiner.onnx", export_nemo._Joiner(model.joiner),
         [ref.random_input("encoder_outputs", (2, d, 3)), ref.random_input("decoder_outputs", (2, h, 2))], ["outputs"]),
        ("ctc-head.onnx", export_nemo._CTCHeadOnly(model.ctc), [ref.random_input("encoder_outputs", (2, d, 5))],
         ["logprobs"]),
    ]
    for file, module, inputs, outputs in graphs:
        ref.graph(file, module.eval(), inputs, outputs)
        for out in ref.entries[-1]["outputs"]:
            if "tolerance" in out:
                out["tolerance"] = _tolerance(out["name"], file)
    ref.write(os.path.join(check_dir, "reference.bin"))
    manifest = {
        "schema": 1, "name": "digits-fastconformer", "generator": "models/py/digits/export_streaming.py",
        "mode": "streaming", "head": "hybrid", "lookaheads": list(c.lookaheads),
        "defaultLookahead": DEFAULT_LOOKAHEAD,
        "reference": {"file": "reference.bin", "entries": ref.entries,
                      "features": {"xorshift": FEATURE_SEED, "frames": int(features.shape[0]), "featureDim": c.feat_in}},
    }
    with open(os.path.join(check_dir, "manifest.json"), "w") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--checkpoint", default=None)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    work = os.path.join(WORK, "quick") if args.quick else WORK
    checkpoint = args.checkpoint or os.path.join(work, "streaming", "model.pt")
    out = args.out or (os.path.join(work, "embedded", "digits-fastconformer") if args.quick else EMBEDDED)
    torch.set_num_threads(1)  # one thread: fixed summation order, the same bytes every export

    model, state = load_trained(checkpoint)
    checks = torch_checks(model)
    print("torch streaming == full forward, max |diff| per lookahead:", json.dumps(checks))

    fresh_directory(out)
    written = export_nemo.export_streaming_hybrid(model, out, PIECES, DEFAULT_LOOKAHEAD)
    write_speechstream_json(out)
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}
    print("exported:", json.dumps(sizes), f"total {sum(sizes.values()) / 1e6:.2f} MB")
    print("encoder metadata:", json.dumps(written["encoder.onnx"]["metadata"], sort_keys=True))

    check_dir = os.path.join(work, "streaming", "consistency")
    write_consistency_fixture(model, out, check_dir)
    result = subprocess.run(["node", NODE_CHECK, check_dir], capture_output=True, text=True)
    print(result.stdout.strip())
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        print("ONNX consistency check FAILED", file=sys.stderr)
        return 1
    print(f"ONNX consistency check passed ({check_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

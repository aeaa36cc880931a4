"""Small random-weight FastConformer fixtures in the NeMo / sherpa-onnx contracts.

`build_nemo_fixtures(out_dir)` writes, under out_dir:
  nemo-streaming-ctc/         model.onnx tokens.txt
  nemo-streaming-transducer/  encoder.onnx decoder.onnx joiner.onnx tokens.txt
  nemo-streaming-hybrid/      encoder/decoder/joiner + ctc-head.onnx + model.onnx, tokens.txt
  nemo-offline-ctc/           model.onnx tokens.txt
  nemo-offline-transducer/    encoder.onnx decoder.onnx joiner.onnx tokens.txt
and in each a `manifest.json` (what was written: I/O names, metadata, hashes, and the
reference entries) and `reference.bin` (float32 little-endian expected outputs,
computed by PyTorch; inputs are regenerated from xorshift seeds, see
check_streaming.xorshift_floats).

Before writing, every streaming model passes the PyTorch streaming-vs-full check for
each supported lookahead and every model the padding check; after writing, the ONNX
files pass the same comparison under onnxruntime-node (check_streaming_nemo.mjs).
Any failure raises. The build is deterministic: seeds are fixed, torch runs on one
thread, and ONNX files and manifests are serialised deterministically
(from the repo root: `PYTHONPATH=models/py /usr/bin/python3 -m zoo.fixtures_nemo --twice`
writes test/fixtures/zoo, builds again into a temp dir and compares hashes).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from . import export_nemo
from .check_streaming import (
    TOLERANCE,
    check_encoder_streaming,
    check_padding_invariance,
    covered_frames,
    full_sequence_reference,
    reference_features,
    xorshift_floats,
)
from .fastconformer import DROP_PRE_ENCODED, FastConformerConfig, chunk_shift, window_size
from .fastconformer_fixture_weights import (
    SCALE,
    calibrate_ctc,
    calibrate_joiner,
    calibrate_predictor,
    encoding_stats,
    make_change_sensitive,
    perturb_defaults,
)
from .fastconformer_models import FastConformerASR, HeadConfig

# SentencePiece-style English pieces written by hand (id 0 = <unk> as in NeMo BPE
# vocabularies); not derived from any transcript. `<blk>` (id 40) is appended on export.
PIECES: Tuple[str, ...] = (
    "<unk>", "▁the", "▁a", "▁of", "▁to", "▁and", "▁in", "▁is", "▁it", "▁that",
    "s", "ed", "ing", "er", "ly", "▁w", "▁s", "▁c", "▁b", "▁p",
    "▁m", "▁f", "▁d", "▁h", "e", "t", "a", "o", "i", "n",
    "r", "l", "u", "y", "▁", "'", "re", "on", "an", "en",
)  # fmt: skip

ENCODER = FastConformerConfig(
    feat_in=80,
    d_model=64,
    n_heads=4,
    n_layers=2,
    conv_kernel=9,
    ff_expansion=4,
    subsampling_channels=32,
    left_context=70,
    lookaheads=(0, 1, 6, 13),
    dropout=0.1,
)
# The calibrated joiner needs 2 * d_model + V hidden units (fastconformer_fixture_weights).
HEADS = HeadConfig(vocab_size=len(PIECES), pred_hidden=64, pred_rnn_layers=1, joint_hidden=2 * 64 + len(PIECES))
DEFAULT_LOOKAHEAD = 1  # window 25, shift 16: the "80 ms" latency class
REFERENCE_OUTPUT_FRAMES = 98  # 7 * 14: whole calls for R in 0, 1, 6, 13, and > 70 + a chunk
FEATURE_SEED = 20240601
OFFLINE_FRAMES = (325, 200)  # a padded batch of two
HEAD_TOLERANCE = TOLERANCE * SCALE  # the same relative precision, in logit units


@dataclass(frozen=True)
class FixtureSpec:
    name: str
    kind: str  # "ctc" | "rnnt" | "hybrid"
    streaming: bool
    seed: int


FIXTURES: Tuple[FixtureSpec, ...] = (
    FixtureSpec("nemo-streaming-ctc", "ctc", True, 11),
    FixtureSpec("nemo-streaming-transducer", "rnnt", True, 12),
    FixtureSpec("nemo-streaming-hybrid", "hybrid", True, 13),
    FixtureSpec("nemo-offline-ctc", "ctc", False, 14),
    FixtureSpec("nemo-offline-transducer", "rnnt", False, 15),
)

NODE_CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_streaming_nemo.mjs")


def fixture_model(spec: FixtureSpec) -> FastConformerASR:
    """Seeded random model with heads calibrated to decode non-trivially (see fastconformer_fixture_weights)."""
    torch.manual_seed(spec.seed)
    generator = torch.Generator().manual_seed(spec.seed)
    model = FastConformerASR(ENCODER, HEADS, spec.kind).eval()
    perturb_defaults(model, generator)
    make_change_sensitive(model.encoder)
    if spec.streaming:
        stats = encoding_stats(model.encoder, DEFAULT_LOOKAHEAD, DROP_PRE_ENCODED)
    else:
        stats = encoding_stats(model.encoder, None, 0)
    if model.ctc is not None:
        calibrate_ctc(model.ctc, stats, generator)
    if model.predictor is not None and model.joiner is not None:
        calibrate_predictor(model.predictor, generator)
        calibrate_joiner(model.joiner, stats, HEADS.vocab_size, generator)
    return model


def _tolerance(file: str, output: str) -> float:
    """Max |onnx - torch| / max(1, |torch|) allowed for one output.

    Encoder outputs, caches and the prediction network: TOLERANCE (1e-4). Head outputs
    (log-probs, joiner logits) pass encoder rounding (~1e-6) through the calibrated
    heads' gain (SCALE 50 x whitening up to 4.5x, ~300x measured, see
    fastconformer_fixture_weights), so they get HEAD_TOLERANCE = TOLERANCE x SCALE."""
    head = output == "logprobs" or file == "joiner.onnx"
    return HEAD_TOLERANCE if head else TOLERANCE


class _Reference:
    """Accumulates expected outputs into one float32 buffer and describes them as entries."""

    def __init__(self) -> None:
        self.chunks: List[np.ndarray] = []
        self.floats = 0
        self.entries: List[Dict[str, Any]] = []
        self.next_seed = 1000

    def expected(self, name: str, tensor: torch.Tensor, tolerance: float) -> Dict[str, Any]:
        if tensor.dtype in (torch.int32, torch.int64):
            return {"name": name, "dims": list(tensor.shape), "values": [int(v) for v in tensor.flatten()]}
        data = tensor.detach().numpy().astype("<f4").ravel()
        spec = {
            "name": name,
            "dims": list(tensor.shape),
            "offset": self.floats,
            "count": int(data.size),
            "tolerance": tolerance,
        }
        self.chunks.append(data)
        self.floats += int(data.size)
        return spec

    def random_input(self, name: str, dims: Sequence[int]) -> Tuple[torch.Tensor, Dict[str, Any]]:
        self.next_seed += 1
        count = int(np.prod(dims))
        values = torch.from_numpy(xorshift_floats(count, self.next_seed)).reshape(*dims)
        return values, {"name": name, "type": "float32", "dims": list(dims), "xorshift": self.next_seed}

    @staticmethod
    def int_input(name: str, dtype: torch.dtype, values: Sequence[Any]) -> Tuple[torch.Tensor, Dict[str, Any]]:
        t = torch.tensor(values, dtype=dtype)
        type_name = "int64" if dtype == torch.int64 else "int32"
        return t, {"name": name, "type": type_name, "dims": list(t.shape), "data": [int(v) for v in t.flatten()]}

    def graph(
        self,
        file: str,
        module: torch.nn.Module,
        inputs: List[Tuple[torch.Tensor, Dict[str, Any]]],
        output_names: Sequence[str],
    ) -> None:
        with torch.no_grad():
            outs = module(*[t for t, _ in inputs])
        if isinstance(outs, torch.Tensor):
            outs = (outs,)
        self.entries.append(
            {
                "kind": "graph",
                "file": file,
                "inputs": [spec for _, spec in inputs],
                "outputs": [self.expected(n, o, _tolerance(file, n)) for n, o in zip(output_names, outs)],
            }
        )

    def streaming(self, file: str, lookahead: int, output: str, time_axis: int, tensor: torch.Tensor) -> None:
        self.entries.append(
            {
                "kind": "streaming",
                "file": file,
                "lookahead": lookahead,
                "windowSize": window_size(lookahead),
                "chunkShift": chunk_shift(lookahead),
                "timeAxis": time_axis,
                "outputs": [self.expected(output, tensor, _tolerance(file, output))],
            }
        )

    def write(self, path: str) -> None:
        data = np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype="<f4")
        with open(path, "wb") as f:
            f.write(data.astype("<f4").tobytes())


def _streaming_references(model: FastConformerASR, files: Dict[str, Any], ref: _Reference) -> Dict[str, Any]:
    features = reference_features(covered_frames(REFERENCE_OUTPUT_FRAMES), ENCODER.feat_in, FEATURE_SEED)
    for r in ENCODER.lookaheads:
        encoded = full_sequence_reference(model.encoder, features, r).unsqueeze(0)  # [1, D, M]
        if "encoder.onnx" in files:
            ref.streaming("encoder.onnx", r, "outputs", 2, encoded)
        if "model.onnx" in files:
            assert model.ctc is not None
            with torch.no_grad():
                ref.streaming("model.onnx", r, "logprobs", 1, model.ctc(encoded))
    # One batched call from non-zero, partly valid caches (sherpa stacks streams like this).
    win = window_size(DEFAULT_LOOKAHEAD)
    c = ENCODER
    batch_inputs = [
        ref.random_input("audio_signal", (2, c.feat_in, win)),
        ref.int_input("length", torch.int64, [win, win]),
        ref.random_input("cache_last_channel", (2, c.n_layers, c.left_context, c.d_model)),
        ref.random_input("cache_last_time", (2, c.n_layers, c.d_model, c.conv_kernel - 1)),
        ref.int_input("cache_last_channel_len", torch.int64, [0, 37]),
    ]
    # Only one graph per directory: the hybrid's model.onnx shares the encoder weights.
    if "encoder.onnx" in files:
        wrapper: torch.nn.Module = export_nemo._StreamingEncoder(model.encoder)
        ref.graph("encoder.onnx", wrapper.eval(), batch_inputs, files["encoder.onnx"]["outputs"])
    else:
        wrapper = export_nemo._StreamingCTC(model.encoder, model.ctc)
        ref.graph("model.onnx", wrapper.eval(), batch_inputs, files["model.onnx"]["outputs"])
    return {"xorshift": FEATURE_SEED, "frames": int(features.shape[0]), "featureDim": ENCODER.feat_in}


def _offline_references(model: FastConformerASR, files: Dict[str, Any], ref: _Reference) -> None:
    frames = max(OFFLINE_FRAMES)
    inputs = [
        ref.random_input("audio_signal", (len(OFFLINE_FRAMES), ENCODER.feat_in, frames)),
        ref.int_input("length", torch.int64, list(OFFLINE_FRAMES)),
    ]
    if "model.onnx" in files:
        ref.graph("model.onnx", export_nemo._OfflineCTC(model.encoder, model.ctc, None).eval(), inputs, ["logprobs"])
    if "encoder.onnx" in files:
        wrapper = export_nemo._OfflineEncoder(model.encoder, None).eval()
        ref.graph("encoder.onnx", wrapper, inputs, ["outputs", "encoded_lengths"])


def _head_references(model: FastConformerASR, files: Dict[str, Any], ref: _Reference) -> None:
    d, h = ENCODER.d_model, HEADS.pred_hidden
    blank = HEADS.vocab_size
    if "decoder.onnx" in files:
        assert model.predictor is not None
        layers = HEADS.pred_rnn_layers
        inputs = [
            ref.int_input("targets", torch.int32, [[blank, 5, 9], [3, 3, 17]]),
            ref.int_input("target_length", torch.int32, [3, 3]),
            ref.random_input("h", (layers, 2, h)),
            ref.random_input("c", (layers, 2, h)),
        ]
        ref.graph("decoder.onnx", export_nemo._Decoder(model.predictor).eval(), inputs, export_nemo.DECODER_OUTPUTS)
    if "joiner.onnx" in files:
        assert model.joiner is not None
        inputs = [ref.random_input("encoder_outputs", (2, d, 3)), ref.random_input("decoder_outputs", (2, h, 2))]
        ref.graph("joiner.onnx", export_nemo._Joiner(model.joiner).eval(), inputs, ["outputs"])
    if "ctc-head.onnx" in files:
        assert model.ctc is not None
        inputs = [ref.random_input("encoder_outputs", (2, d, 5))]
        ref.graph("ctc-head.onnx", export_nemo._CTCHeadOnly(model.ctc).eval(), inputs, ["logprobs"])


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _export(spec: FixtureSpec, model: FastConformerASR, out: str) -> Dict[str, Any]:
    if spec.streaming:
        exporter = {
            "ctc": export_nemo.export_streaming_ctc,
            "rnnt": export_nemo.export_streaming_transducer,
            "hybrid": export_nemo.export_streaming_hybrid,
        }[spec.kind]
        return exporter(model, out, PIECES, DEFAULT_LOOKAHEAD)
    exporter = {"ctc": export_nemo.export_offline_ctc, "rnnt": export_nemo.export_offline_transducer}[spec.kind]
    return exporter(model, out, PIECES, None)


def build_fixture(spec: FixtureSpec, out_dir: str, node_check: bool = True) -> Dict[str, Any]:
    """Builds one fixture directory; returns a summary (check results, timings, sizes)."""
    model = fixture_model(spec)
    summary: Dict[str, Any] = {"name": spec.name}
    check_features = reference_features(covered_frames(REFERENCE_OUTPUT_FRAMES), ENCODER.feat_in, FEATURE_SEED)
    if spec.streaming:
        summary["torch_streaming_max_diff"] = check_encoder_streaming(model.encoder, check_features, ENCODER.lookaheads)
    summary["torch_padding_max_diff"] = {
        str(r): check_padding_invariance(model.encoder, check_features, r) for r in (None,) + ENCODER.lookaheads
    }

    out = os.path.join(out_dir, spec.name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    started = time.perf_counter()
    files: Dict[str, Any] = _export(spec, model, out)
    summary["export_seconds"] = round(time.perf_counter() - started, 2)

    ref = _Reference()
    features = _streaming_references(model, files, ref) if spec.streaming else None
    if not spec.streaming:
        _offline_references(model, files, ref)
    _head_references(model, files, ref)
    ref.write(os.path.join(out, "reference.bin"))

    manifest: Dict[str, Any] = {
        "schema": 1,
        "name": spec.name,
        "generator": "models/py/zoo/fixtures_nemo.py",
        "mode": "streaming" if spec.streaming else "offline",
        "head": spec.kind,
        "vocabSize": HEADS.vocab_size,
        "blankId": HEADS.vocab_size,
        "tokenCount": HEADS.vocab_size + 1,
        "lookaheads": list(ENCODER.lookaheads) if spec.streaming else [],
        "defaultLookahead": DEFAULT_LOOKAHEAD if spec.streaming else None,
        "architecture": {"encoder": ENCODER.to_dict(), "heads": HEADS.__dict__, "seed": spec.seed},
        "files": {},
        "reference": {"file": "reference.bin", "features": features, "entries": ref.entries},
    }
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        entry = dict(files.get(name, {}))
        entry.update({"bytes": os.path.getsize(path), "sha256": _sha256(path)})
        manifest["files"][name] = entry
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    summary["bytes"] = {k: v["bytes"] for k, v in manifest["files"].items()}

    if node_check:
        result = subprocess.run(["node", NODE_CHECK, out], capture_output=True, text=True)
        summary["onnx_check"] = result.stdout.strip()
        if result.returncode != 0:
            raise AssertionError(f"ONNX check failed for {spec.name}:\n{result.stdout}\n{result.stderr}")
    return summary


def build_nemo_fixtures(out_dir: str, node_check: bool = True) -> List[Dict[str, Any]]:
    """Writes every NeMo fixture under out_dir (deterministic; raises on any failed check)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: fixed summation order, identical bytes every run
    try:
        return [build_fixture(spec, out_dir, node_check) for spec in FIXTURES]
    finally:
        torch.set_num_threads(threads)


def tree_hashes(root: str) -> Dict[str, str]:
    hashes = {}
    for spec in FIXTURES:
        d = os.path.join(root, spec.name)
        for name in sorted(os.listdir(d)):
            hashes[f"{spec.name}/{name}"] = _sha256(os.path.join(d, name))
    return hashes


def _main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default="test/fixtures/zoo")
    parser.add_argument("--twice", action="store_true", help="also build into a temp dir and compare hashes")
    args = parser.parse_args(argv)
    for s in build_nemo_fixtures(args.out_dir):
        print(json.dumps(s, sort_keys=True))
    if args.twice:
        with tempfile.TemporaryDirectory() as tmp:
            build_nemo_fixtures(tmp, node_check=False)
            first, second = tree_hashes(args.out_dir), tree_hashes(tmp)
        differing = sorted(k for k in first if first[k] != second.get(k))
        if differing or first.keys() != second.keys():
            print("NOT deterministic:", differing, sorted(set(first) ^ set(second)))
            return 1
        print(f"deterministic: {len(first)} files identical across two builds")
        for k, v in first.items():
            print(f"  {v[:16]}  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())

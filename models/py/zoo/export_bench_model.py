"""Exports larger random-weight zoo models for the throughput benchmarks (not for tests).

    /usr/bin/python3 models/py/zoo/export_bench_model.py                # both models
    /usr/bin/python3 models/py/zoo/export_bench_model.py nemo           # or: paraformer
    /usr/bin/python3 models/py/zoo/export_bench_model.py --no-check     # skip the checks

writes, under models/py/work/bench-models/ (gitignored; nothing here is committed):

  nemo-streaming-hybrid-256x17/  a cache-aware streaming FastConformer hybrid (CTC + RNN-T) in
      the sherpa-onnx layout of the shipped models/embedded/digits-fastconformer
      (encoder/decoder/joiner/ctc-head/model.onnx, tokens.txt, speechstream.json): mid-size
      NeMo encoder shapes (d_model 256, 17 layers, 4 heads, FF x4, causal conv kernel 9,
      8x dw-striding subsampling with 256 channels, 70 frames of left context), lookaheads
      0/1/6/13 with default R = 1 like the shipped model, 1024 BPE-like pieces + blank.
      41.0 M parameters (encoder 27.8 M).
  paraformer-offline-256x24/  an offline FunASR Paraformer (BiCif timestamp outputs, like the
      zoo fixture): d_model 256, 4 heads, 24 SAN-M encoder blocks (FFN 1024), 6 decoder
      blocks (FFN 1024), 1024 tokens. 25.3 M parameters.

Both use the zoo fixtures' data-free calibration (fastconformer_fixture_weights.py,
paraformer_random_init.py), so random weights decode real speech into a plausible number
of tokens instead of all blank or one token forever; the throughput figures include the
decoder work that goes with them. That calibration needs pred_hidden >= vocab and
joint_hidden >= 2 * d_model + vocab, so the RNN-T heads (LSTM 1024, joint 1536) are
larger than NeMo's (640 / 640): 13 M of the 41 M parameters are heads.

Checks (exit 1 on failure), unless --no-check:
- NeMo: the cache-aware streaming forward equals the full forward with the chunked mask
  for every lookahead in PyTorch (check_streaming.py); the exported encoder and fused CTC
  graph, run window by window as sherpa does under onnxruntime-node, equal the PyTorch
  full forward at every lookahead, and every graph equals PyTorch on one batched call
  (check_streaming_nemo.mjs; its manifest and reference live in <name>.check/ next to
  links to the exported files); then our runtime and sherpa-onnx-node decode real clips to
  identical tokens on both heads, with the features and options test/bench/asr-streaming.ts
  uses (tokens per second of audio printed).
- Paraformer: checked by test/bench/paraformer.ts itself (token identity with sherpa on
  every file it times).
Deterministic: fixed seeds, one torch thread.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import string
import subprocess
import sys
import time
import warnings
from typing import Dict, List, Sequence

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "zoo"

import torch  # noqa: E402

from . import export_nemo  # noqa: E402
from .check_streaming import (  # noqa: E402
    check_encoder_streaming,
    covered_frames,
    full_sequence_reference,
    reference_features,
)
from .export_paraformer import export_offline  # noqa: E402
from .fastconformer import DROP_PRE_ENCODED, FastConformerConfig, window_size  # noqa: E402
from .fastconformer_fixture_weights import (  # noqa: E402
    calibrate_ctc,
    calibrate_joiner,
    calibrate_predictor,
    encoding_stats,
    make_change_sensitive,
    perturb_defaults,
)
from .fastconformer_models import FastConformerASR, HeadConfig  # noqa: E402
from .fixtures_nemo import NODE_CHECK, _Reference  # noqa: E402
from .paraformer_config import ParaformerConfig  # noqa: E402
from .paraformer_features import speech_like_cmvn  # noqa: E402
from .paraformer_model import Paraformer  # noqa: E402
from .paraformer_random_init import RandomInit, random_paraformer  # noqa: E402
from .paraformer_tokens import token_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "models", "py", "work", "bench-models")

# --- NeMo streaming hybrid ------------------------------------------------------------------

NEMO_NAME = "nemo-streaming-hybrid-256x17"
NEMO_SEED = 31
NEMO_VOCAB = 1024  # pieces, <unk> included; <blk> is appended by the exporter (id 1024)
NEMO_ENCODER = FastConformerConfig(
    feat_in=80,
    d_model=256,
    n_heads=4,
    n_layers=17,
    conv_kernel=9,
    ff_expansion=4,
    subsampling_channels=256,
    left_context=70,
    lookaheads=(0, 1, 6, 13),
    dropout=0.1,
)
NEMO_HEADS = HeadConfig(
    vocab_size=NEMO_VOCAB, pred_hidden=NEMO_VOCAB, pred_rnn_layers=1, joint_hidden=2 * 256 + NEMO_VOCAB
)
NEMO_DEFAULT_LOOKAHEAD = 1  # as the shipped model: window 25, shift 16 (160 ms steps)
REFERENCE_OUTPUT_FRAMES = 98  # 7 * 14: whole calls for R in 0, 1, 6, 13, and > 70 + a chunk
FEATURE_SEED = 20240601
# A 17-layer random encoder accumulates more float rounding than the 2-layer fixtures;
# max |onnx - torch| / max(1, |torch|) allowed (the token check below is the real test).
ENCODER_TOLERANCE = 1e-3
HEAD_TOLERANCE = 5e-2

# Clips the sherpa token-identity check decodes (relative to ../shared/data).
IDENTITY_CLIPS = [
    "clips/jfk.wav",
    "librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
    "librivox/sense_and_sensibility_01_austen_64kb-0890.wav",
    "librivox/sense_and_sensibility_01_austen_64kb-0920.wav",
    "hifitts-6097/audio/astralplane_03_leadbeater_0639.wav",
    "hifitts-6097/audio/hartmann_12_fawcett_0088.wav",
]


def nemo_pieces(count: int) -> List[str]:
    """Hand-made SentencePiece-style pieces: <unk>, word-initial letters, letters, letter
    pairs, then word-initial pairs, up to `count` (not derived from any transcript)."""
    letters = string.ascii_lowercase
    pairs = [a + b for a in letters for b in letters]
    pieces = ["<unk>"] + ["\u2581" + c for c in letters] + list(letters) + pairs + ["\u2581" + p for p in pairs]
    if len(pieces) < count:
        raise ValueError(f"only {len(pieces)} pieces available")
    return pieces[:count]


def nemo_model() -> FastConformerASR:
    """fixtures_nemo.fixture_model with the bench shapes."""
    torch.manual_seed(NEMO_SEED)
    generator = torch.Generator().manual_seed(NEMO_SEED)
    model = FastConformerASR(NEMO_ENCODER, NEMO_HEADS, "hybrid").eval()
    perturb_defaults(model, generator)
    make_change_sensitive(model.encoder)
    stats = encoding_stats(model.encoder, NEMO_DEFAULT_LOOKAHEAD, DROP_PRE_ENCODED)
    calibrate_ctc(model.ctc, stats, generator)
    calibrate_predictor(model.predictor, generator)
    calibrate_joiner(model.joiner, stats, NEMO_VOCAB, generator)
    return model


def nemo_speechstream_json(params: int) -> Dict[str, object]:
    return {
        "id": NEMO_NAME,
        "family": "nemo-hybrid-streaming",
        "task": "asr",
        "description": (
            f"Benchmark model, random weights (not a recogniser): cache-aware streaming FastConformer hybrid "
            f"(CTC + RNN-T), d_model 256, 17 layers, {params / 1e6:.1f} M parameters, lookaheads 0/1/6/13, "
            f"1024 pieces. Built by models/py/zoo/export_bench_model.py."
        ),
        "featurePreset": "sherpa-online-nemo-transducer",
        "defaultDecoder": "ctc",
        "licence": "random weights, no training data",
    }


def _tolerance(output: str, file: str) -> float:
    return HEAD_TOLERANCE if output == "logprobs" or file == "joiner.onnx" else ENCODER_TOLERANCE


def write_consistency_fixture(model: FastConformerASR, shipped: str, check_dir: str) -> None:
    """manifest.json + reference.bin for check_streaming_nemo.mjs, with links to the exported
    graphs (as models/py/digits/export_streaming.py does for the shipped model)."""
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
    win = window_size(NEMO_DEFAULT_LOOKAHEAD)
    batch = [
        ref.random_input("audio_signal", (2, c.feat_in, win)),
        ref.int_input("length", torch.int64, [win, win]),
        ref.random_input("cache_last_channel", (2, c.n_layers, c.left_context, d)),
        ref.random_input("cache_last_time", (2, c.n_layers, d, c.conv_kernel - 1)),
        ref.int_input("cache_last_channel_len", torch.int64, [0, 37]),
    ]
    blank = model.blank
    graphs = [
        ("encoder.onnx", export_nemo._StreamingEncoder(model.encoder), batch,
         ["outputs", "encoded_lengths"] + export_nemo.STREAMING_STATE_OUTPUTS),
        ("decoder.onnx", export_nemo._Decoder(model.predictor), [
            ref.int_input("targets", torch.int32, [[blank, 5, 9], [3, 3, 700]]),
            ref.int_input("target_length", torch.int32, [3, 3]),
            ref.random_input("h", (model.head_config.pred_rnn_layers, 2, h)),
            ref.random_input("c", (model.head_config.pred_rnn_layers, 2, h)),
        ], export_nemo.DECODER_OUTPUTS),
        ("joiner.onnx", export_nemo._Joiner(model.joiner),
         [ref.random_input("encoder_outputs", (2, d, 3)), ref.random_input("decoder_outputs", (2, h, 2))], ["outputs"]),
        ("ctc-head.onnx", export_nemo._CTCHeadOnly(model.ctc), [ref.random_input("encoder_outputs", (2, d, 5))],
         ["logprobs"]),
    ]  # fmt: skip
    for file, module, inputs, outputs in graphs:
        ref.graph(file, module.eval(), inputs, outputs)
    for entry in ref.entries:
        for out in entry["outputs"]:
            if "tolerance" in out:
                out["tolerance"] = _tolerance(out["name"], entry["file"])
    ref.write(os.path.join(check_dir, "reference.bin"))
    manifest = {
        "schema": 1, "name": NEMO_NAME, "generator": "models/py/zoo/export_bench_model.py",
        "mode": "streaming", "head": "hybrid", "lookaheads": list(c.lookaheads),
        "defaultLookahead": NEMO_DEFAULT_LOOKAHEAD,
        "reference": {"file": "reference.bin", "entries": ref.entries,
                      "features": {"xorshift": FEATURE_SEED, "frames": int(features.shape[0]), "featureDim": c.feat_in}},
    }  # fmt: skip
    with open(os.path.join(check_dir, "manifest.json"), "w") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


# Our runtime vs sherpa-onnx-node on real clips, loaded exactly as test/bench/asr-streaming.ts
# loads them (sherpa feature preset of the head, fused model.onnx for CTC), decoded whole as
# test/unit/asr/nemo-streaming.test.ts does. Plain ESM run with tsx's loader for the .ts imports.
SHERPA_IDENTITY_JS = r"""
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const [root, dir, ...clips] = JSON.parse(process.env.BENCH_IDENTITY_ARGS);
const load = (p) => import(pathToFileURL(path.join(root, p)).href);
const { loadNemoStreamingRecognizer } = await load('asr/nemo/load-nemo-streaming.ts');
const { loadManifest } = await load('models/runtime/manifest.ts');
const { decodeAll } = await load('streaming/audio/index.ts');
const ref = await load('test/unit/asr/helpers/sherpa-reference.ts');
const manifest = await loadManifest(dir);
let failed = 0;
for (const [head, decoder] of [['ctc', 'ctc'], ['transducer', 'rnnt']]) {
  const preset = head === 'ctc' ? 'sherpa-online-nemo-ctc' : 'sherpa-online-nemo-transducer';
  const ours = await loadNemoStreamingRecognizer(manifest, {
    session: { intraOpThreads: 1, interOpThreads: 1 }, featurePreset: preset, defaultDecoder: decoder,
  });
  const theirs = ref.sherpaOnlineNemo(dir, head);
  let same = 0, tokens = 0, seconds = 0;
  for (const clip of clips) {
    const samples = await decodeAll(path.join(root, '../shared/data', clip), { sampleRate: 16000 });
    const s = ours.createStream({ decoder });
    s.acceptAudio(samples);
    s.inputFinished();
    while (ours.isReady(s)) await ours.decode([s]);
    let symbols = [...ours.result(s).tokens].map((id) => ref.sherpaSymbol(manifest.tokens.symbol(id) ?? '?'));
    s.close();
    if (head === 'transducer') symbols = symbols.filter((t) => t !== '<unk>');
    const want = ref.sherpaOnlineTokens(theirs, samples);
    const ok = JSON.stringify(symbols) === JSON.stringify(want);
    if (ok) same++;
    tokens += want.length;
    seconds += samples.length / 16000;
    const s_ = (samples.length / 16000).toFixed(1);
    const verdict = ok ? 'identical' : 'DIFFERENT';
    console.log(`  ${head.padEnd(10)} ${clip}: ${s_} s, ours ${symbols.length} tokens, sherpa ${want.length}: ${verdict}`);
  }
  const rate = (tokens / seconds).toFixed(1);
  console.log(`  ${head}: ${same}/${clips.length} clips token-identical, ${rate} tokens per second of audio`);
  if (same !== clips.length) failed++;
  await ours.close();
}
process.exit(failed === 0 ? 0 : 1);
"""


def sherpa_identity(out: str) -> bool:
    env = dict(os.environ, BENCH_IDENTITY_ARGS=json.dumps([ROOT, out, *IDENTITY_CLIPS]))
    result = subprocess.run(
        ["node", "--import", "tsx", "--input-type=module", "-e", SHERPA_IDENTITY_JS], cwd=ROOT, env=env
    )
    return result.returncode == 0


def build_nemo(check: bool) -> bool:
    started = time.perf_counter()
    model = nemo_model()
    params = sum(p.numel() for p in model.parameters())
    encoder_params = sum(p.numel() for p in model.encoder.parameters())
    print(f"{NEMO_NAME}: {params:,} parameters (encoder {encoder_params:,})")
    if check:
        feats = reference_features(covered_frames(REFERENCE_OUTPUT_FRAMES), NEMO_ENCODER.feat_in, FEATURE_SEED)
        diffs = check_encoder_streaming(model.encoder, feats, NEMO_ENCODER.lookaheads)
        print("  torch streaming == full forward, max |diff| per lookahead:", json.dumps(diffs))
    out = os.path.join(OUT, NEMO_NAME)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    export_nemo.export_streaming_hybrid(model, out, nemo_pieces(NEMO_VOCAB), NEMO_DEFAULT_LOOKAHEAD)
    with open(os.path.join(out, "speechstream.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(nemo_speechstream_json(params), indent=2, ensure_ascii=False) + "\n")
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}
    print(f"  exported to {out} in {time.perf_counter() - started:.0f} s: {json.dumps(sizes)}")
    if not check:
        return True
    check_dir = out + ".check"
    write_consistency_fixture(model, out, check_dir)
    result = subprocess.run(["node", NODE_CHECK, check_dir], capture_output=True, text=True)
    print("  " + result.stdout.strip().replace("\n", "\n  "))
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        print("  ONNX consistency check FAILED", file=sys.stderr)
        return False
    print("  sherpa-onnx-node token identity (our runtime as test/bench/asr-streaming.ts loads it):")
    return sherpa_identity(out)


# --- offline Paraformer -----------------------------------------------------------------------

PARAFORMER_NAME = "paraformer-offline-256x24"
PARAFORMER_INIT = RandomInit(seed=41)


def paraformer_pieces(count: int) -> List[str]:
    """Words and `@@` word-start pieces made of letters and letter pairs (not from any transcript)."""
    letters = string.ascii_lowercase
    units = list(letters) + [a + b for a in letters for b in letters]
    pieces: List[str] = []
    for u in units:
        pieces += [u, u + "@@"]
    if len(pieces) < count:
        raise ValueError(f"only {len(pieces)} pieces available")
    return pieces[:count]


def build_paraformer(check: bool) -> bool:
    del check  # the bench checks token identity with sherpa on every file it times
    started = time.perf_counter()
    symbols = token_table(paraformer_pieces(1024 - 4))
    cfg = ParaformerConfig(
        vocab_size=len(symbols),
        d_model=256,
        attention_heads=4,
        encoder_blocks=24,
        encoder_ffn=1024,
        decoder_blocks=6,
        decoder_ffn=1024,
    )
    model = random_paraformer(lambda: Paraformer(cfg), PARAFORMER_INIT)
    params = sum(p.numel() for p in model.parameters())
    print(f"{PARAFORMER_NAME}: {params:,} parameters")
    neg_mean, inv_stddev = speech_like_cmvn(cfg.lfr_m)
    out = os.path.join(OUT, PARAFORMER_NAME)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    with warnings.catch_warnings():
        # torch.onnx's known, harmless UserWarnings (see export_nemo._export).
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
        export_offline(
            model,
            out,
            symbols,
            neg_mean,
            inv_stddev,
            extra_metadata={"comment": "speechstream bench model: random weights, not a recogniser"},
            timestamps=True,
        )
    speechstream = {
        "id": PARAFORMER_NAME,
        "family": "paraformer-offline",
        "task": "asr",
        "description": (
            f"Benchmark model, random weights (not a recogniser): offline Paraformer, d_model 256, 24 encoder "
            f"+ 6 decoder blocks, {params / 1e6:.1f} M parameters, 1024 tokens. Built by "
            f"models/py/zoo/export_bench_model.py."
        ),
        "licence": "random weights, no training data",
    }
    with open(os.path.join(out, "speechstream.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(speechstream, indent=2) + "\n")
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}
    print(f"  exported to {out} in {time.perf_counter() - started:.0f} s: {json.dumps(sizes)}")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", help="nemo, paraformer (default: both)")
    p.add_argument("--no-check", action="store_true", help="export only")
    args = p.parse_args(argv)
    wanted = args.models or ["nemo", "paraformer"]
    unknown = sorted(set(wanted) - {"nemo", "paraformer"})
    if unknown:
        p.error(f"unknown model(s): {', '.join(unknown)}")
    torch.set_num_threads(1)  # fixed summation order, the same bytes every export
    ok = True
    if "nemo" in wanted:
        ok = build_nemo(not args.no_check) and ok
    if "paraformer" in wanted:
        ok = build_paraformer(not args.no_check) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The tokenised copy-synthesis rung of the ladder: a teacher's evaluation WAVs through the
MaskGCT codec (log-mel -> codes -> codec decoder -> log-mel), for
models/py/tts/eval/copy_synthesize_eval.ts --mels to vocode and eval_voice.py to score.
Its WER is the floor for a model whose acoustic tokens come from this codec (reference
tts-families.md 5.3: "tokenised copy-synthesis").

    /usr/bin/python3 models/py/tts/maskgct/codec_copy.py --checkpoint CK.pt \
        --teacher models/py/work/tts/data/eval/teachers/festival-cmu_us_slt_arctic_hts \
        --out DIR [--limit 40]

Writes DIR/<id>.mel.f32: contract log-mel, frame-major [T, 80], float32 little-endian.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch
from scipy.io import wavfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import mel_spec  # noqa: E402
from maskgct.config import MaskGctConfig  # noqa: E402
from maskgct.model import MaskGct  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--teacher", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--limit", type=int, default=None, help="first N rows of each set")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(args.checkpoint, map_location="cpu")
    cfg = MaskGctConfig(**ck["config"])
    model = MaskGct(cfg)
    model.load_state_dict(ck["model"])
    codec = model.codec.eval()
    mean = torch.tensor(cfg.mel_mean, dtype=torch.float32)
    std = torch.tensor(cfg.mel_std, dtype=torch.float32)
    os.makedirs(args.out, exist_ok=True)
    taken: dict = {}
    n = 0
    with open(os.path.join(args.teacher, "manifest.jsonl")) as f:
        for line in f:
            row = json.loads(line)
            taken[row["set"]] = taken.get(row["set"], 0) + 1
            if args.limit is not None and taken[row["set"]] > args.limit:
                continue
            rate, pcm = wavfile.read(os.path.join(args.teacher, row["wav"]))
            if rate != 16000:
                raise SystemExit(f"{row['wav']}: {rate} Hz, the mel contract is 16 kHz")
            wav = torch.from_numpy(pcm.astype(np.float32) / (32768.0 if pcm.dtype == np.int16 else 1.0))
            mel = mel_spec.log_mel(wav).T.contiguous().unsqueeze(0)  # [1, T, 80]
            with torch.no_grad():
                codes = codec.encode((mel - mean) / std)
                out = codec(codes)[0].numpy().astype("<f4")
            out.tofile(os.path.join(args.out, f"{row['id']}.mel.f32"))
            n += 1
    print(f"{n} clips through the codec ({cfg.codec_layers} x {cfg.codebook_size} codes) -> {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Exports an ARDiT-style model to the three ONNX graphs of CONTRACT.md.

    /usr/bin/python3 models/py/tts/ardit/export.py --checkpoint CKPT --out DIR

CKPT is a torch.save'd dict {"config": ArditConfig fields, "model": state_dict} (what a
trainer writes). DIR receives ar_prefill.onnx, ar_step.onnx and flow_head.onnx, each with the
same metadata_props. TorchScript exporter, opset 17, torch 1.13 on CPU (CONTRACT.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Dict

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))

from ardit.config import ArditConfig  # noqa: E402
from ardit.model import Ardit, num_parameters  # noqa: E402
from data.token_durations import duration_metadata  # noqa: E402
from model_dir import write_manifest  # noqa: E402
from zoo.onnx_export import MetaValue, export_onnx  # noqa: E402

MODEL_TYPE = "ardit-tts"
CONTRACT_VERSION = "1"
PREFILL_FILE = "ar_prefill.onnx"
STEP_FILE = "ar_step.onnx"
FLOW_FILE = "flow_head.onnx"
SAMPLE_RATE = 16000
HOP_LENGTH = 320


class PrefillGraph(nn.Module):
    def __init__(self, model: Ardit):
        super().__init__()
        self.model = model

    def forward(self, phone_ids, phone_pos, bos_pos):
        return self.model.prefill(phone_ids, phone_pos, bos_pos)


class StepGraph(nn.Module):
    def __init__(self, model: Ardit):
        super().__init__()
        self.model = model

    def forward(self, patch, pos, past_key, past_value):
        return self.model.step(patch, pos, past_key, past_value)


class FlowGraph(nn.Module):
    def __init__(self, model: Ardit):
        super().__init__()
        self.head = model.head

    def forward(self, x_t, t, cond, prev):
        return self.head(x_t, t, cond, prev)


def metadata(model: Ardit) -> Dict[str, MetaValue]:
    cfg = model.cfg
    out: Dict[str, MetaValue] = {
        "model_type": MODEL_TYPE,
        "version": CONTRACT_VERSION,
        "sample_rate": SAMPLE_RATE,
        "hop_length": HOP_LENGTH,
        "n_mels": cfg.n_mels,
        "patch_size": cfg.patch,
        "vocab_size": cfg.vocab_size,
        "voices": ",".join(cfg.voices),
        "hidden_size": cfg.dim,
        "n_layers": cfg.layers,
        "n_heads": cfg.heads,
        "head_dim": cfg.head_dim,
        "ffn_size": cfg.ffn,
        "flow_width": cfg.head_width,
        "flow_blocks": cfg.head_blocks,
        "rope_base": float(cfg.rope_base),
        "frames_per_phone": float(cfg.frames_per_phone),
        "stop_patience": cfg.stop_patience,
        "mel_mean": [float(v) for v in cfg.mel_mean],
        "mel_std": [float(v) for v in cfg.mel_std],
        "positions": ("phone i: planned centre / K (durations table); voice token: lead / 2K; bos: 0; patch j: j"
                      if cfg.token_frames else "phone i: (i+0.5)*N/P; bos: 0; patch j: j (N = planned patches)"),
        "flow": "x_t=(1-t)*noise+t*x1; v=x1-noise; cfg row: cond=0",
        "kv_layout": "[L,1,H,T,Dh] keys after RoPE",
        "parameters": num_parameters(model),
    }
    if cfg.token_frames:
        out["durations"] = duration_metadata(cfg.duration_voices, cfg.token_frames, cfg.lead_frames)
    return out


def export_graphs(model: Ardit, out_dir: str, extra: Dict[str, MetaValue] | None = None) -> Dict[str, str]:
    model = model.eval()
    cfg = model.cfg
    meta = metadata(model)
    if extra:
        meta.update(extra)
    os.makedirs(out_dir, exist_ok=True)
    p = 5
    phone_ids = torch.arange(p, dtype=torch.int64).unsqueeze(0) + 9
    phone_pos = (torch.arange(p, dtype=torch.float32) + 0.5).unsqueeze(0)
    bos_pos = torch.zeros(1, 1)
    with torch.no_grad():
        _, _, keys, values = model.prefill(phone_ids, phone_pos, bos_pos)
    patch = torch.zeros(1, cfg.patch, cfg.n_mels)
    paths = {}
    paths["prefill"] = os.path.join(out_dir, PREFILL_FILE)
    export_onnx(PrefillGraph(model), (phone_ids, phone_pos, bos_pos), paths["prefill"],
                ["phone_ids", "phone_pos", "bos_pos"], ["hidden", "stop_logit", "present_key", "present_value"],
                {"phone_ids": {1: "phones"}, "phone_pos": {1: "phones"},
                 "present_key": {3: "cache"}, "present_value": {3: "cache"}},
                {**meta, "graph": "prefill"})
    paths["step"] = os.path.join(out_dir, STEP_FILE)
    export_onnx(StepGraph(model), (patch, torch.ones(1, 1), keys, values), paths["step"],
                ["patch", "pos", "past_key", "past_value"], ["hidden", "stop_logit", "present_key", "present_value"],
                {"past_key": {3: "past"}, "past_value": {3: "past"},
                 "present_key": {3: "cache"}, "present_value": {3: "cache"}},
                {**meta, "graph": "step"})
    paths["flow"] = os.path.join(out_dir, FLOW_FILE)
    rows = 2
    export_onnx(FlowGraph(model), (torch.zeros(rows, cfg.patch, cfg.n_mels), torch.full((rows,), 0.5),
                                   torch.zeros(rows, cfg.dim), torch.zeros(rows, cfg.patch, cfg.n_mels)),
                paths["flow"], ["x_t", "t", "cond", "prev"], ["v"],
                {"x_t": {0: "rows"}, "t": {0: "rows"}, "cond": {0: "rows"}, "prev": {0: "rows"}, "v": {0: "rows"}},
                {**meta, "graph": "flow_head"})
    return paths


def load_checkpoint(path: str) -> Ardit:
    ck = torch.load(path, map_location="cpu")
    model = Ardit(ArditConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", default=None, help="manifest id (default: the out directory's name)")
    ap.add_argument("--default-voice", default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    paths = export_graphs(model, args.out)
    for role, path in paths.items():
        print(f"{role}: {path} ({os.path.getsize(path) / 1e6:.2f} MB)")
    voices = model.cfg.voices
    if args.default_voice is not None and args.default_voice not in voices:
        raise SystemExit(f"--default-voice {args.default_voice} is not one of {voices}")
    print(write_manifest(args.out, args.id or os.path.basename(os.path.abspath(args.out)), MODEL_TYPE,
                         f"ARDiT-style autoregressive diffusion TTS, {num_parameters(model) / 1e6:.1f}M parameters, "
                         f"{len(voices) or 1} voice(s), trained on synthetic festival/flite speech (MODEL_CARD.md).",
                         args.default_voice))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Exports a MaskGCT-style model to the three ONNX graphs of CONTRACT.md.

    /usr/bin/python3 models/py/tts/maskgct/export.py --checkpoint CKPT --out DIR

CKPT is a torch.save'd dict {"config": MaskGctConfig fields, "model": MaskGct state_dict}.
DIR receives t2s.onnx, s2a.onnx and codec_decoder.onnx, each with the same metadata_props.
TorchScript exporter, opset 17, torch 1.13 on CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Dict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))

from data.token_durations import duration_metadata, token_centres, token_frames  # noqa: E402
from maskgct.config import MaskGctConfig  # noqa: E402
from maskgct.model import MaskGct, num_parameters  # noqa: E402
from model_dir import write_manifest  # noqa: E402
from zoo.onnx_export import MetaValue, export_onnx  # noqa: E402

MODEL_TYPE = "maskgct-tts"
CONTRACT_VERSION = "1"
T2S_FILE = "t2s.onnx"
S2A_FILE = "s2a.onnx"
CODEC_FILE = "codec_decoder.onnx"
SAMPLE_RATE = 16000
HOP_LENGTH = 320


EVEN_POSITIONS = "frame t: t; phone i: (i+0.5)*T/P (T = prompt + target frames, P = all phones)"
PLANNED_POSITIONS = ("frame t: t; target phone: Tp + its planned centre (durations); prompt phone: its phone_pos, "
                     "else (i+0.5)*Tp/Pp")


def metadata(model: MaskGct) -> Dict[str, MetaValue]:
    cfg = model.cfg
    table = len(cfg.token_frames) > 0
    meta: Dict[str, MetaValue] = {
        "model_type": MODEL_TYPE,
        "version": CONTRACT_VERSION,
        "sample_rate": SAMPLE_RATE,
        "hop_length": HOP_LENGTH,
        "n_mels": cfg.n_mels,
        "vocab_size": cfg.vocab_size,
        "sem_states": cfg.sem_states,
        "sem_vocab": cfg.sem_vocab,
        "codec_layers": cfg.codec_layers,
        "codebook_size": cfg.codebook_size,
        "codec_dim": cfg.codec_dim,
        "hidden_size": cfg.dim,
        "n_layers": cfg.layers,
        "n_heads": cfg.heads,
        "ffn_size": cfg.ffn,
        "rope_base": float(cfg.rope_base),
        "frames_per_phone": float(cfg.frames_per_phone),
        "mel_mean": [float(v) for v in cfg.mel_mean],
        "mel_std": [float(v) for v in cfg.mel_std],
        "semantic": "frame-level phone labels: phone_id * sem_states + state (models/py/tts/data/alignments.py)",
        "positions": PLANNED_POSITIONS if table else EVEN_POSITIONS,
        "guidance": "unconditional row = keys before drop_prefix hidden (t2s: phones+prompt, s2a: prompt)",
        "mel_output": "contract log-mel, frame-major [1,T,80] (de-normalised in the graph)",
        "parameters": num_parameters(model),
    }
    if table:  # CONTRACT.md "Positions"; models without it spread phones evenly
        meta["durations"] = duration_metadata(cfg.duration_voices, cfg.token_frames, cfg.lead_frames)
    return meta


def export_graphs(model: MaskGct, out_dir: str, extra: Dict[str, MetaValue] | None = None) -> Dict[str, str]:
    model = model.eval()
    cfg = model.cfg
    meta = metadata(model)
    if extra:
        meta.update(extra)
    os.makedirs(out_dir, exist_ok=True)
    b, p, t, q = 2, 5, 7, cfg.codec_layers
    phone_ids = (torch.arange(p, dtype=torch.int64) + 9).unsqueeze(0).repeat(b, 1)
    phone_pos = ((torch.arange(p, dtype=torch.float32) + 0.5) * t / p).unsqueeze(0).repeat(b, 1)
    sem_ids = torch.arange(t, dtype=torch.int64).unsqueeze(0).repeat(b, 1) % cfg.sem_vocab
    sem_masked = (torch.arange(t) % 2).float().unsqueeze(0).repeat(b, 1)
    drop = torch.tensor([0, p + 2], dtype=torch.int64)
    paths = {"t2s": os.path.join(out_dir, T2S_FILE), "s2a": os.path.join(out_dir, S2A_FILE),
             "codec": os.path.join(out_dir, CODEC_FILE)}
    export_onnx(model.t2s, (phone_ids, phone_pos, sem_ids, sem_masked, drop), paths["t2s"],
                ["phone_ids", "phone_pos", "sem_ids", "sem_masked", "drop_prefix"], ["logits"],
                {"phone_ids": {0: "rows", 1: "phones"}, "phone_pos": {0: "rows", 1: "phones"},
                 "sem_ids": {0: "rows", 1: "frames"}, "sem_masked": {0: "rows", 1: "frames"},
                 "drop_prefix": {0: "rows"}, "logits": {0: "rows", 1: "frames"}},
                {**meta, "graph": "t2s"})
    ac_ids = torch.arange(t * q, dtype=torch.int64).reshape(1, t, q).repeat(b, 1, 1) % cfg.codebook_size
    ac_known = (torch.arange(t * q) % 3 != 0).float().reshape(1, t, q).repeat(b, 1, 1)
    export_onnx(model.s2a, (sem_ids, ac_ids, ac_known, torch.tensor([1], dtype=torch.int64),
                            torch.tensor([0, 2], dtype=torch.int64)), paths["s2a"],
                ["sem_ids", "ac_ids", "ac_known", "layer", "drop_prefix"], ["logits"],
                {"sem_ids": {0: "rows", 1: "frames"}, "ac_ids": {0: "rows", 1: "frames"},
                 "ac_known": {0: "rows", 1: "frames"}, "drop_prefix": {0: "rows"},
                 "logits": {0: "rows", 1: "frames"}},
                {**meta, "graph": "s2a"})
    export_onnx(model.codec, (ac_ids[:1],), paths["codec"], ["ac_ids"], ["mel"],
                {"ac_ids": {1: "frames"}, "mel": {1: "frames"}}, {**meta, "graph": "codec_decoder"})
    return paths


def voice_prompts(model: MaskGct, data: str, cache: str, min_seconds: float = 1.5,
                  max_seconds: float = 2.5) -> Dict[str, Dict]:
    """One prompt per training voice: the tokens of that voice's first clip of a prompt-like
    length (MaskGCT has no speaker embedding; the prompt is the voice). Phones are our G2P
    ids (what inference sees), semantic tokens and codes are what training used, and
    `phone_pos` the phones' aligned centres in frames (token_durations.py, as training placed
    them). `name` is the voice name, which also selects the duration-table row."""
    from ardit.train import voice_name
    from maskgct.train import collate, load_items
    cfg = model.cfg
    items = load_items(data, cache)
    with open(os.path.join(data, "train", "manifest.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    prompts: Dict[str, Dict] = {}
    for i, row in enumerate(rows):
        name = voice_name(row["voice"])
        if name in prompts or not min_seconds <= row["duration"] <= max_seconds:
            continue
        b = collate(items, None, [i], cfg)
        frames = int(b["frame_lens"][0])
        with torch.no_grad():
            codes = model.codec.encode(b["mels"])[0, :frames]
        lead, durs = token_frames(row["ids"], row["align_ids"], row["align_ends"], frames)
        prompts[name] = {"name": name, "text": row["text"], "source": row["id"],
                         "phones": [int(v) for v in items[i][0]], "sem": [int(v) for v in b["sem"][0, :frames]],
                         "ac": [int(v) for v in codes.reshape(-1)],
                         "phone_pos": [float(v) for v in token_centres(lead, durs)]}
    return dict(sorted(prompts.items()))


def load_checkpoint(path: str) -> MaskGct:
    ck = torch.load(path, map_location="cpu")
    model = MaskGct(MaskGctConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", default=None, help="manifest id (default: the out directory's name)")
    ap.add_argument("--data", default=None, help="TTS data dir to take voice prompts from (default: none, graphs only)")
    ap.add_argument("--cache", default=None, help="items.npz of train.py (default: its work dir)")
    ap.add_argument("--default-voice", default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_checkpoint(args.checkpoint)
    paths = export_graphs(model, args.out)
    for role, path in paths.items():
        print(f"{role}: {path} ({os.path.getsize(path) / 1e6:.2f} MB)")
    if args.data is None:
        return
    from maskgct.train import WORK
    prompts = voice_prompts(model, args.data, args.cache or os.path.join(WORK, "items.npz"))
    os.makedirs(os.path.join(args.out, "voices"), exist_ok=True)
    for name, prompt in prompts.items():
        with open(os.path.join(args.out, "voices", f"{name}.json"), "w") as f:
            json.dump(prompt, f)
        print(f"voice {name}: {len(prompt['sem'])} frames, \"{prompt['text']}\"")
    default = args.default_voice or next(iter(prompts))
    if default not in prompts:
        raise SystemExit(f"--default-voice {default} is not one of {list(prompts)}")
    print(write_manifest(args.out, args.id or os.path.basename(os.path.abspath(args.out)), MODEL_TYPE,
                         f"MaskGCT-style masked generative codec TTS, {num_parameters(model) / 1e6:.1f}M parameters, "
                         f"voices are prompts, trained on synthetic festival/flite speech (MODEL_CARD.md).",
                         default, list(prompts)))


if __name__ == "__main__":
    main()

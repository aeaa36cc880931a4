#!/usr/bin/python3
"""Exports the trained vocoder to ONNX and writes the torch reference the TypeScript test checks.

    /usr/bin/python3 models/py/tts/vocoder/export.py [--checkpoint models/py/work/tts-vocoder/run/vocoder.pt]

Writes:
- models/embedded/tts-vocoder/vocoder.onnx: input `mel` float32 [1, 80, F] (the contract's
  log-mel, not normalised), output `audio` float32 [1, F * 320]; TorchScript exporter, opset 17,
  with metadata_props describing the contract and the streaming geometry.
- models/embedded/tts-vocoder/speechstream.json.
- test/fixtures/tts/vocoder-reference.{json,f32}: log-mels of held-out speech (and two edge
  lengths) with the torch output for each, for the onnxruntime-node == torch test.

It also checks that the exported ConvTranspose iSTFT equals torch.istft (the path used in
training) on the trained model.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))

import mel_spec  # noqa: E402
from model import HOP, N_FFT, VocosTiny, num_parameters  # noqa: E402
from train_vocoder import DATA, WORK, clip_mels, load_clips, synthesize  # noqa: E402
from zoo.onnx_export import export_onnx  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
MODEL_DIR = os.path.join(ROOT, "models", "embedded", "tts-vocoder")
FIXTURES = os.path.join(ROOT, "test", "fixtures", "tts")
LOOKAHEAD_FRAMES = (N_FFT // 2 + HOP - 1) // HOP  # 2: a frame centred on 320t reaches 512 samples ahead


def load_model(path: str) -> VocosTiny:
    ck = torch.load(path)
    model = VocosTiny(**ck["config"])
    model.load_state_dict(ck["model"])
    return model.eval()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", default=os.path.join(WORK, "run", "vocoder.pt"))
    ap.add_argument("--model-dir", default=MODEL_DIR)
    ap.add_argument("--fixtures", default=FIXTURES)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_model(args.checkpoint)

    held = load_clips(os.path.join(DATA, "heldout.npz"))
    mels = clip_mels(held[:2])
    with torch.no_grad():
        conv = model(mels[0][None])
        fft = synthesize(model, mels[0][None])
    istft_diff = float((conv - fft).abs().max())
    print(f"ConvTranspose iSTFT vs torch.istft on held-out speech: max |diff| {istft_diff:.2e} "
          f"(peak {float(fft.abs().max()):.3f})")
    if istft_diff > 1e-4:
        raise SystemExit("the exported iSTFT does not match torch.istft")

    os.makedirs(args.model_dir, exist_ok=True)
    onnx_path = os.path.join(args.model_dir, "vocoder.onnx")
    metadata = {
        "model_type": "vocos-vocoder",
        "version": "1",
        "sample_rate": mel_spec.SAMPLE_RATE,
        "n_fft": N_FFT,
        "hop_length": HOP,
        "win_length": mel_spec.WIN_LENGTH,
        "n_mels": mel_spec.N_MELS,
        "f_min": mel_spec.F_MIN,
        "f_max": mel_spec.F_MAX,
        "log_floor": mel_spec.LOG_FLOOR,
        "mel": "log(max(slaney_mel(|stft|), 1e-5)), center reflect, periodic hann",
        "receptive_left_frames": model.receptive_left,
        "lookahead_frames": LOOKAHEAD_FRAMES,
        "parameters": num_parameters(model),
    }
    export_onnx(model, (mels[0][None, :, :50].contiguous(),), onnx_path, ["mel"], ["audio"],
                {"mel": {2: "frames"}, "audio": {1: "samples"}}, metadata)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB)")
    manifest = {
        "id": "tts-vocoder",
        "family": "vocos-vocoder",
        "task": "tts",
        "description": "Causal Vocos-tiny vocoder: contract log-mel [1, 80, F] -> 16 kHz audio [1, F*320]; "
                       "trained on synthetic festival + flite speech (see MODEL_CARD.md).",
        "files": {"model": "vocoder.onnx"},
        "licence": "Apache-2.0",
        "languages": ["en"],
    }
    with open(os.path.join(args.model_dir, "speechstream.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")

    # Reference outputs for the TypeScript test: held-out speech plus the shortest inputs.
    cases = [("heldout-0", mels[0][:, :150]), ("heldout-1", mels[1][:, :97]), ("one-frame", mels[1][:, 40:41]),
             ("three-frames", mels[1][:, 60:63])]
    floats: list[np.ndarray] = []
    index: dict = {"checkpoint": os.path.relpath(args.checkpoint, ROOT), "receptiveLeft": model.receptive_left,
                   "lookahead": LOOKAHEAD_FRAMES, "cases": []}
    offset = 0
    for name, mel in cases:
        with torch.no_grad():
            audio = model(mel[None].contiguous())[0].numpy()
        frames = mel.shape[1]
        m = mel.T.contiguous().numpy().astype("<f4").reshape(-1)  # frame-major [F, 80]
        index["cases"].append({"name": name, "numFrames": frames, "melOffset": offset,
                               "audioOffset": offset + m.size, "audioLength": int(audio.size)})
        floats += [m, audio.astype("<f4")]
        offset += m.size + audio.size
    os.makedirs(args.fixtures, exist_ok=True)
    np.concatenate(floats).astype("<f4").tofile(os.path.join(args.fixtures, "vocoder-reference.f32"))
    with open(os.path.join(args.fixtures, "vocoder-reference.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print(f"wrote {args.fixtures}/vocoder-reference.{{json,f32}} ({offset} floats)")


if __name__ == "__main__":
    main()

"""Exports the trained digits Paraformer into models/embedded/digits-paraformer/ and checks the
ONNX graph against PyTorch on real strings.

    /usr/bin/python3 models/py/digits/export_paraformer.py          # from work/paraformer/model.pt
    /usr/bin/python3 models/py/digits/export_paraformer.py --quick  # work/quick/... -> work/quick/embedded/

Files: model.onnx (FunASR offline contract with the BiCif timestamp outputs; metadata
vocab_size, lfr_window_size/shift, neg_mean, inv_stddev, ...), tokens.txt, am.mvn (the same
CMVN vectors, FunASR's format), speechstream.json. The check replays two theo strings, alone
and as a padded batch, through onnxruntime-node (zoo/check_paraformer_onnx.mjs); its
reference files stay in models/py/work/.
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

import torch  # noqa: E402

from zoo import export_paraformer as zoo_export  # noqa: E402
from zoo.export_paraformer import OfflineGraph  # noqa: E402
from zoo.paraformer_reference import ReferenceWriter  # noqa: E402

from .eval_sets import load_set  # noqa: E402
from .paraformer_digits import TOKENS, ids_to_words, load_trained  # noqa: E402
from .paraformer_frontend import frontend  # noqa: E402
from .training import fresh_directory  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WORK = os.path.abspath(os.path.join(HERE, "..", "work"))
EMBEDDED = os.path.join(ROOT, "models", "embedded", "digits-paraformer")
NODE_CHECK = os.path.join(HERE, "..", "zoo", "check_paraformer_onnx.mjs")
TOLERANCE = 2e-3  # log-probs of a trained model; ~1e-5 is typical

SPEECHSTREAM_JSON = {
    "id": "digits-paraformer",
    "family": "paraformer-offline",
    "task": "asr",
    "description": (
        "English spoken digit strings (zero..nine, 'oh'), whole utterance: an offline Paraformer "
        "(SAN-M encoder, CIF, non-autoregressive decoder), 2.0 M parameters, with word timestamps. "
        "Trained on FSDD (4 speakers) and synthetic espeak-ng/festival/flite voices; see MODEL_CARD.md."
    ),
    "featurePreset": "sherpa-offline-paraformer",
    "licence": "CC BY-SA 4.0 (trained on the Free Spoken Digit Dataset, CC BY-SA 4.0); see MODEL_CARD.md",
    "languages": ["en"],
}


def export(model, out: str, neg_mean, inv_stddev) -> dict:
    kwargs = {}
    # The BiCif outputs give word times; older zoo exporters lack the keyword.
    if "timestamps" in inspect.signature(zoo_export.export_offline).parameters:
        kwargs["timestamps"] = True
    meta = {"speechstream_vocabulary": "digits: zero..nine, oh"}
    with warnings.catch_warnings():
        # torch.onnx's known, harmless UserWarnings (un-foldable slices, constant shapes);
        # the onnxruntime comparison below is what counts.
        warnings.filterwarnings("ignore", category=UserWarning)
        result = zoo_export.export_offline(model, out, TOKENS, neg_mean.tolist(), inv_stddev.tolist(), meta, **kwargs)
    with open(os.path.join(out, "speechstream.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(SPEECHSTREAM_JSON, indent=2, ensure_ascii=False) + "\n")
    return {"timestamps": bool(kwargs), **result}


def write_reference(model, timestamps: bool, neg_mean, inv_stddev, check_dir: str) -> str:
    rows = load_set("theo", limit=2)
    feats = [torch.from_numpy(frontend(r["wave"], neg_mean, inv_stddev)) for r in rows]
    lengths = torch.tensor([f.shape[0] for f in feats], dtype=torch.int32)
    batch = torch.zeros(len(feats), int(lengths.max()), feats[0].shape[1])
    for i, f in enumerate(feats):
        batch[i, : f.shape[0]] = f
    graph = OfflineGraph(model, timestamps).eval()
    names = ["logits", "token_num"] + (zoo_export.TIMESTAMP_OUTPUTS if timestamps else [])
    writer = ReferenceWriter(Path(check_dir))
    with torch.no_grad():
        for case, speech, lens in (("theo-0", batch[:1, : lengths[0]], lengths[:1]), ("theo-batch", batch, lengths)):
            outs = graph(speech, lens)
            writer.add(case, "model.onnx", [("speech", speech), ("speech_lengths", lens)], list(zip(names, outs)))
        hyps = [ids_to_words(ids) for ids in model.greedy_tokens(batch, lengths)]
    print("torch greedy on the check strings:", [(r["words"], h) for r, h in zip(rows, hyps)])
    return str(writer.write(TOLERANCE))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--checkpoint", default=None)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    work = os.path.join(WORK, "quick") if args.quick else WORK
    checkpoint = args.checkpoint or os.path.join(work, "paraformer", "model.pt")
    out = args.out or (os.path.join(work, "embedded", "digits-paraformer") if args.quick else EMBEDDED)
    torch.set_num_threads(1)

    model, state = load_trained(checkpoint)
    neg_mean, inv_stddev = state["neg_mean"], state["inv_stddev"]
    fresh_directory(out)
    result = export(model, out, neg_mean, inv_stddev)
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in sorted(os.listdir(out))}
    print("exported:", json.dumps(sizes), f"total {sum(sizes.values()) / 1e6:.2f} MB; timestamps {result['timestamps']}")

    check_dir = os.path.join(work, "paraformer", "consistency")
    if os.path.isdir(check_dir):
        shutil.rmtree(check_dir)
    reference = write_reference(model, result["timestamps"], neg_mean, inv_stddev, check_dir)
    proc = subprocess.run(["node", NODE_CHECK, reference, out], capture_output=True, text=True)
    print(proc.stdout.strip())
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        print("ONNX check FAILED", file=sys.stderr)
        return 1
    print(f"ONNX check passed ({reference})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

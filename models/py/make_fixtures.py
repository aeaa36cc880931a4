#!/usr/bin/env python3
"""Regenerates every model-zoo test fixture under test/fixtures/zoo/ from fixed seeds.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 models/py/make_fixtures.py            # all families
    /usr/bin/python3 models/py/make_fixtures.py --only nemo

The outputs are committed so CI needs no Python. Regeneration is byte-for-byte
deterministic (checked by --check, which builds into a temp dir and compares hashes).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import torch  # noqa: E402

torch.set_num_threads(1)  # determinism and a fair share of a 2-core machine


def builders():
    from zoo.fixtures_nemo import build_nemo_fixtures
    from zoo.fixtures_paraformer import build_paraformer_fixtures

    return {"nemo": build_nemo_fixtures, "paraformer": build_paraformer_fixtures}


def tree_hashes(root: str) -> dict[str, str]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "test", "fixtures", "zoo"))
    parser.add_argument("--only", choices=["nemo", "paraformer"], action="append")
    parser.add_argument("--check", action="store_true", help="rebuild into a temp dir and compare with --out")
    args = parser.parse_args()

    selected = {k: v for k, v in builders().items() if not args.only or k in args.only}
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            for build in selected.values():
                build(tmp)
            fresh = tree_hashes(tmp)
            committed = {k: v for k, v in tree_hashes(args.out).items() if k in fresh}
            diff = sorted(k for k in fresh if fresh[k] != committed.get(k))
            for k in diff:
                print(f"DIFFERS: {k}")
            print(f"{len(fresh) - len(diff)}/{len(fresh)} files identical")
            return 1 if diff else 0
    for name, build in selected.items():
        print(f"== building {name} fixtures into {args.out}")
        build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

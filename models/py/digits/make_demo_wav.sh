#!/usr/bin/env bash
# Writes models/embedded/digits-demo.wav: the README's example for the embedded digits model,
# "four one five, nine two seven, oh three" spoken by flite's rms voice, one of the voices held
# out of training (models/py/digits/voices.py), as 16 kHz mono 16-bit PCM with short silences.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
flite -voice rms -t "four one five, nine two seven, oh three." -o "$tmp/raw.wav"
sox "$tmp/raw.wav" -r 16000 -b 16 -c 1 "$root/models/embedded/digits-demo.wav" pad 0.3 0.5

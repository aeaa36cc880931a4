"""Golden G.711 tables for test/unit/audio/g711.test.ts, from Python's audioop.

audioop implements the ITU/Sun reference coder (g711.c), independently of our TypeScript.
Run with Debian's interpreter (audioop exists up to Python 3.12):

    /usr/bin/python3 models/py/golden/g711_golden.py > test/fixtures/audio/g711-golden.json

Output: for each law, `decode` (the int16 value of every code 0..255) and `encodeRuns`,
the int16 -> code map over -32768..32767 written as [first_int16, code] runs (the map is
piecewise constant, so ~500 runs replace 65536 entries).
"""

import json
import struct
import sys
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def runs(codes):
    out = []
    for i, code in enumerate(codes):
        if not out or out[-1][1] != code:
            out.append([i - 32768, code])
    return out


def main():
    pcm = struct.pack("<65536h", *range(-32768, 32768))
    codes = bytes(range(256))
    golden = {"source": "Python %s audioop" % sys.version.split()[0]}
    for name, encode, decode in (
        ("mulaw", audioop.lin2ulaw, audioop.ulaw2lin),
        ("alaw", audioop.lin2alaw, audioop.alaw2lin),
    ):
        decoded = struct.unpack("<256h", decode(codes, 2))
        golden[name] = {"decode": list(decoded), "encodeRuns": runs(encode(pcm, 2))}
    json.dump(golden, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""Counter-based noise shared with TypeScript (tts/ardit/philox.ts), written independently.

Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the
Random123 reference): key = (seed mod 2^32, seed div 2^32), counter = (block mod 2^32,
block div 2^32, 0, 0). Block b yields four uint32 words; word n of the stream is lane n % 4
of block n // 4.

Normals: words (2i, 2i + 1) -> u1, u2 = (w + 0.5) / 2^32 (never 0 or 1) -> Box-Muller
z_2i = r cos(2 pi u2), z_2i+1 = r sin(2 pi u2), r = sqrt(-2 ln u1), in float64, then float32.
Normal n is therefore a pure function of (seed, n): an utterance can be replayed or resumed
at any patch.
"""
from __future__ import annotations

import math

import numpy as np

M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32(counter, key, rounds: int = 10):
    c = [int(x) & MASK for x in counter]
    k0, k1 = int(key[0]) & MASK, int(key[1]) & MASK
    for r in range(rounds):
        if r > 0:
            k0 = (k0 + W0) & MASK
            k1 = (k1 + W1) & MASK
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        hi0, lo0 = p0 >> 32, p0 & MASK
        hi1, lo1 = p1 >> 32, p1 & MASK
        c = [hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0]
    return c


def seed_key(seed: int):
    if not (isinstance(seed, int) and 0 <= seed < 2 ** 53):
        raise ValueError(f"seed must be an integer in [0, 2^53), got {seed!r}")
    return seed & MASK, seed >> 32


def uint32_words(seed: int, start: int, count: int) -> np.ndarray:
    key = seed_key(seed)
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        n = start + i
        block = n // 4
        out[i] = philox4x32((block & MASK, block >> 32, 0, 0), key)[n % 4]
    return out.astype(np.uint32)


def normals(seed: int, start: int, count: int) -> np.ndarray:
    """Standard normals start .. start + count - 1 of the stream, float32."""
    if start % 2 != 0:
        raise ValueError("normals come in Box-Muller pairs: start must be even")
    pairs = (count + 1) // 2
    words = uint32_words(seed, start, 2 * pairs).astype(np.float64)
    out = np.empty(2 * pairs, dtype=np.float64)
    for i in range(pairs):
        u1 = (words[2 * i] + 0.5) / 4294967296.0
        u2 = (words[2 * i + 1] + 0.5) / 4294967296.0
        r = math.sqrt(-2.0 * math.log(u1))
        out[2 * i] = r * math.cos(2.0 * math.pi * u2)
        out[2 * i + 1] = r * math.sin(2.0 * math.pi * u2)
    return out[:count].astype(np.float32)

"""Phone alignments from the teacher synthesisers, mapped onto our token inventory.

festival (`utt.save.segs`) and flite (`-psdur`) report each segment's end time in their
own phone set: lower-case CMU phones plus schwa variants and pauses. Mapped onto
tts/text/phone-tokens.ts, they give frame-level phone labels (the "semantic" stream of
the codec transformer) and duration targets. The sequence is the synthesiser's own
pronunciation, which may differ from our G2P's in a few words; it is what the audio says.
"""
from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
HOP_SECONDS = 320 / SAMPLE_RATE  # tts/README.md: hop 320 at 16 kHz, centred frames

SILENCE = "sil"
# Synthesiser phones that are not plain CMU phones.
EXTRA = {"ax": "AH", "axr": "ER", "ix": "IH", "ux": "UW", "dx": "D", "el": "L", "em": "M", "en": "N",
         "nx": "N", "hv": "HH", "pau": SILENCE, "h#": SILENCE, "brth": SILENCE, "sil": SILENCE, "ssil": SILENCE}
CMU = set("aa ae ah ao aw ay b ch d dh eh er ey f g hh ih iy jh k l m n ng ow oy p r s sh t th uh uw v w y z zh".split())


def to_token(phone: str) -> str:
    """Our token symbol for a synthesiser phone."""
    p = phone.lower()
    if p in CMU:
        return p.upper()
    if p in EXTRA:
        return EXTRA[p]
    raise ValueError(f"unknown synthesiser phone {phone!r}")


def parse_flite_psdur(text: str) -> list[tuple[str, float]]:
    """flite -psdur prints "pau:0.164 hh:0.255 ..." (phone:end seconds)."""
    out = []
    for item in text.split():
        phone, _, end = item.rpartition(":")
        if phone:
            out.append((phone, float(end)))
    return out


def parse_festival_segs(text: str) -> list[tuple[str, float]]:
    """festival utt.save.segs: a "#" line, then "end 100 phone" lines."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] != "#":
            out.append((parts[2], float(parts[0])))
    return out


def clean(segments: list[tuple[str, float]], duration: float) -> list[tuple[str, float]]:
    """Monotonic end times clipped to the audio, adjacent silences merged, last end = duration."""
    out: list[tuple[str, float]] = []
    for phone, end in segments:
        end = min(end, duration)
        token = to_token(phone)
        if out and end <= out[-1][1]:
            continue  # zero-length segment (or beyond the clipped end)
        if out and token == SILENCE and out[-1][0] == SILENCE:
            out[-1] = (SILENCE, end)
        else:
            out.append((token, end))
    if out and out[-1][1] < duration:
        if out[-1][0] == SILENCE:
            out[-1] = (SILENCE, duration)
        else:
            out.append((SILENCE, duration))
    return out


def frame_labels(tokens: list[str], ends: list[float], n_frames: int, token_ids: dict[str, int],
                 hop_seconds: float = HOP_SECONDS) -> np.ndarray:
    """Token id per frame: frame i (centred at i * hop) takes the segment that covers its centre."""
    centres = np.arange(n_frames) * hop_seconds
    idx = np.searchsorted(np.asarray(ends), centres, side="right")
    idx = np.minimum(idx, len(tokens) - 1)
    ids = np.array([token_ids[t] for t in tokens], dtype=np.int64)
    return ids[idx]

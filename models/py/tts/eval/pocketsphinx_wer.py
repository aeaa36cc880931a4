"""Intelligibility of synthesised speech: pocketsphinx word error rates against the texts.

    from tts.eval.pocketsphinx_wer import evaluate
    r = evaluate([("a.wav", "Dr. Smith paid $5."), ...])        # models/py on sys.path
    r["wer_generic"], r["wer_grammar"]

Two decodings of every WAV with the Debian en-us acoustic model (pocketsphinx_batch):
- generic: the en-us trigram LM over the full CMU dictionary: open vocabulary, sensitive;
- grammar: the template JSGF grammar (make_tts_data.py writes it), over the same words:
  content accuracy for template sentences; it saturates near 0-2 % for good speech, and a
  hypothesis is empty when no grammar path fits (scored as all deletions).
References are normalised by the TypeScript front end (so "$5" is "five dollars"), and
errors are pooled over the set (total edits / total reference words).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass

from digits.audio_io import MODEL_RATE, read_wav, resample, write_wav
from digits.metrics import edit_distance
from digits.pocketsphinx_decoder import CMUDICT, HMM, MODEL_DIR, WAV_HEADER_BYTES, _read_hyps

from ..data.frontend import tokenise

GENERIC_LM = os.path.join(MODEL_DIR, "en-us.lm.bin")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
DEFAULT_GRAMMAR = os.path.join(REPO, "models", "py", "work", "tts", "data", "eval", "grammar.gram")


@dataclass(frozen=True)
class Errors:
    substitutions: int
    deletions: int
    insertions: int
    ref_words: int

    @property
    def wer(self) -> float:
        return (self.substitutions + self.deletions + self.insertions) / max(self.ref_words, 1)


def align_counts(ref: list[str], hyp: list[str]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of one minimum-edit alignment."""
    n, m = len(ref), len(hyp)
    # cost, subs, dels, ins; ties prefer substitutions, then deletions (deterministic).
    prev = [(j, 0, 0, j) for j in range(m + 1)]
    for i in range(1, n + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, m + 1):
            same = ref[i - 1] == hyp[j - 1]
            d = prev[j - 1]
            diag = (d[0] + (not same), d[1] + (not same), d[2], d[3])
            up = prev[j]
            dele = (up[0] + 1, up[1], up[2] + 1, up[3])
            left = cur[j - 1]
            ins = (left[0] + 1, left[1], left[2], left[3] + 1)
            cur.append(min(diag, dele, ins, key=lambda c: c[0]))
        prev = cur
    _, s, d, i = prev[m]
    return s, d, i


def score(refs: list[list[str]], hyps: list[list[str]]) -> Errors:
    s = d = i = n = 0
    for ref, hyp in zip(refs, hyps, strict=True):
        cs, cd, ci = align_counts(ref, hyp)
        assert cs + cd + ci == edit_distance(ref, hyp)
        s, d, i, n = s + cs, d + cd, i + ci, n + len(ref)
    return Errors(s, d, i, n)


def grammar_dictionary(grammar: str) -> str:
    """CMU entries (with alternates) for every word of a JSGF grammar."""
    body = "\n".join(line.split("=", 1)[1] for line in grammar.splitlines() if "=" in line)
    words = {w for w in body.replace("(", " ").replace(")", " ").replace("|", " ").replace(";", " ").split()
             if not w.startswith("<")}
    with open(CMUDICT) as f:
        lines = [line for line in f if line.split(" ", 1)[0].split("(")[0] in words]
    missing = words - {line.split(" ", 1)[0].split("(")[0] for line in lines}
    if missing:
        raise ValueError(f"grammar words missing from {CMUDICT}: {sorted(missing)[:20]}")
    return "".join(lines)


def decode(wav_dir: str, ids: list[str], grammar: str | None, workers: int = 2) -> tuple[list[str], float]:
    """Hypotheses for 16 kHz 16-bit WAVs wav_dir/<id>.wav: generic LM when `grammar` is None."""
    with tempfile.TemporaryDirectory(prefix="tts-psphinx-") as tmp:
        if grammar is None:
            model = ["-lm", GENERIC_LM, "-dict", CMUDICT]
        else:
            gram, dic = os.path.join(tmp, "g.gram"), os.path.join(tmp, "g.dict")
            with open(gram, "w") as f:
                f.write(grammar)
            with open(dic, "w") as f:
                f.write(grammar_dictionary(grammar))
            model = ["-jsgf", gram, "-dict", dic]
        ctl = os.path.join(tmp, "list.ctl")
        with open(ctl, "w") as f:
            f.write("\n".join(ids) + "\n")
        per = -(-len(ids) // max(workers, 1))
        t0 = time.time()
        procs = []
        for p in range(workers):
            if p * per >= len(ids):
                break
            cmd = ["nice", "-n", "19", "pocketsphinx_batch", "-adcin", "yes", "-adchdr", str(WAV_HEADER_BYTES),
                   "-cepdir", wav_dir, "-cepext", ".wav", "-ctl", ctl, "-ctloffset", str(p * per),
                   "-ctlcount", str(min(per, len(ids) - p * per)), "-hmm", HMM, *model,
                   "-samprate", str(MODEL_RATE), "-hyp", os.path.join(tmp, f"part{p}.hyp"),
                   "-logfn", os.path.join(tmp, f"part{p}.log")]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for p, proc in enumerate(procs):
            if proc.wait() != 0:
                with open(os.path.join(tmp, f"part{p}.log")) as f:
                    raise RuntimeError(f"pocketsphinx_batch failed: {f.read()[-1000:]}")
        wall = time.time() - t0
        hyps: dict[str, str] = {}
        for p in range(len(procs)):
            hyps.update(_read_hyps(os.path.join(tmp, f"part{p}.hyp")))
    return [hyps.get(i, "") for i in ids], wall


def _hyp_words(text: str) -> list[str]:
    return [w.lower() for w in text.split() if not w.startswith(("<", "[", "++"))]


def evaluate(items: list[tuple[str, str]], grammar_path: str | None = DEFAULT_GRAMMAR, generic: bool = True,
             workers: int = 2, normalise: bool = True) -> dict:
    """Word error rates of (wav path, text) pairs.

    grammar_path None skips the grammar decoding (texts outside the templates); `normalise`
    False takes texts as spoken words already. Returns wer_generic / wer_grammar (None when
    not run), their substitution/deletion/insertion counts, empty grammar hypotheses, the
    reference words pocketsphinx cannot output (not in its dictionary), timing, and per
    utterance references and hypotheses.
    """
    texts = [t for _, t in items]
    refs = [list(t.words) for t in tokenise(texts)] if normalise else [t.lower().split() for t in texts]
    with open(CMUDICT) as f:
        vocab = {line.split(" ", 1)[0].split("(")[0] for line in f}
    result: dict = {"utterances": len(items), "ref_words": sum(len(r) for r in refs),
                    "ref_words_not_in_dictionary": sum(w not in vocab for r in refs for w in r)}
    with tempfile.TemporaryDirectory(prefix="tts-eval-") as wav_dir:
        ids = [f"u{i:06d}" for i in range(len(items))]
        audio_s = 0.0
        for uid, (path, _) in zip(ids, items):
            audio, rate = read_wav(path)
            audio = resample(audio, rate, MODEL_RATE)
            audio_s += len(audio) / MODEL_RATE
            write_wav(os.path.join(wav_dir, uid + ".wav"), audio, MODEL_RATE)
        result["audio_s"] = audio_s
        per_utt = [{"wav": p, "ref": " ".join(r)} for (p, _), r in zip(items, refs)]
        runs = [("generic", None)] if generic else []
        if grammar_path is not None:
            with open(grammar_path) as f:
                runs.append(("grammar", f.read()))
        for name, grammar in runs:
            hyps, wall = decode(wav_dir, ids, grammar, workers)
            words = [_hyp_words(h) for h in hyps]
            errors = score(refs, words)
            result[f"wer_{name}"] = errors.wer
            result[name] = {**asdict(errors), "decode_wall_s": wall, "workers": workers}
            if name == "grammar":
                result[name]["empty_hypotheses"] = sum(not w for w in words)
            for row, w in zip(per_utt, words):
                row[name] = " ".join(w)
        result.setdefault("wer_generic", None)
        result.setdefault("wer_grammar", None)
        result["per_utterance"] = per_utt
    return result

// sherpa-onnx's VAD decisions, checked window by window on hand-built probability
// sequences (no model): where segments start and end, the hysteresis, min speech,
// the long-segment rule, the optional hard cut, flush and reset.
import { describe, expect, it } from 'vitest';
import { type SpeechSegment, VadSegmenter } from '../../../asr/vad/vad-segmenter.js';

const W = 512;
/** 2 model inputs (576 each) + min speech (4000) before the confirming window. */
const LEAD = 2 * 576 + 4000;

function run(probabilities: readonly number[], segmenter = new VadSegmenter()): SpeechSegment[] {
  const out: SpeechSegment[] = [];
  for (const p of probabilities) {
    const s = segmenter.pushProbability(p);
    if (s) out.push(s);
  }
  const last = segmenter.flush();
  if (last) out.push(last);
  return out;
}

const repeat = (p: number, n: number) => new Array<number>(n).fill(p);

describe('VadSegmenter (sherpa-onnx rules)', () => {
  it('finds nothing in silence and ignores speech shorter than min speech', () => {
    expect(run(repeat(0.1, 200))).toEqual([]);
    // 0.25 s = 4000 samples: 8 windows above threshold after the first are not enough.
    expect(run([...repeat(0.1, 20), ...repeat(0.9, 8), ...repeat(0.1, 40)])).toEqual([]);
  });

  it("starts a segment once speech lasts min speech, with sherpa's lead, and ends it after min silence", () => {
    // Window i (0-based) ends at sample (i + 1) * 512. Speech from window 20.
    const probs = [...repeat(0.1, 20), ...repeat(0.9, 40), ...repeat(0.1, 40)];
    const segmenter = new VadSegmenter();
    const segments: SpeechSegment[] = [];
    let confirmedAt = -1;
    probs.forEach((p, i) => {
      const s = segmenter.pushProbability(p);
      if (confirmedAt === -1 && segmenter.speechStart !== undefined) confirmedAt = i;
      if (s) segments.push(s);
    });
    // temp_start is set on window 20 (at sample 21*512); confirmation needs
    // current - temp_start >= 4000, i.e. 8 more windows -> window 28.
    expect(confirmedAt).toBe(28);
    expect(segments).toHaveLength(1);
    const [segment] = segments;
    expect(segment!.start).toBe(29 * W - LEAD);
    // Silence from window 60: temp_end = 61*512; ends when current - temp_end >= 8000,
    // i.e. at window 60 + 16 = 76; end = tail - min silence.
    expect(segment!.end).toBe(77 * W - 8000);
  });

  it('keeps speech on above threshold - 0.15 once triggered (hysteresis)', () => {
    const probs = [...repeat(0.9, 30), ...repeat(0.4, 100), ...repeat(0.1, 30)];
    const segments = run(probs);
    expect(segments).toHaveLength(1);
    // 0.4 > 0.35 keeps it going: the segment only ends in the 0.1 stretch.
    expect(segments[0]!.end).toBeGreaterThan(130 * W - 8000 - 1);
  });

  it('a short dip below threshold does not end the segment', () => {
    const probs = [...repeat(0.9, 30), ...repeat(0.2, 10), ...repeat(0.9, 30), ...repeat(0.1, 40)];
    expect(run(probs)).toHaveLength(1);
  });

  it('tightens to threshold 0.9 / min silence 0.1 s once more than max speech is buffered', () => {
    // 0.7 is speech under the normal threshold, not under the long one (nor its
    // hysteresis, 0.9 - 0.15).
    const long = [...repeat(0.9, 30), ...repeat(0.7, 700), ...repeat(0.1, 10)];
    const segments = run(long);
    expect(segments.length).toBeGreaterThanOrEqual(1);
    const first = segments[0]!;
    // It ends shortly after 20 s of buffered audio, long before the 0.1 stretch.
    expect(first.end - first.start).toBeGreaterThan(20 * 16000 - LEAD);
    expect(first.end).toBeLessThan(730 * W - 8000);
    // The same audio with max speech 60 s stays one segment until the silence.
    const relaxed = run(long, new VadSegmenter({ maxSpeechSeconds: 60 }));
    expect(relaxed).toHaveLength(1);
    expect(relaxed[0]!.end).toBe(740 * W);
  });

  it('cuts at hardMaxSeconds when asked (not a sherpa rule)', () => {
    const segments = run([...repeat(0.9, 400), ...repeat(0.1, 40)], new VadSegmenter({ hardMaxSeconds: 5 }));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    for (const s of segments) expect(s.end - s.start).toBeLessThanOrEqual(5 * 16000);
    for (let i = 1; i < segments.length; i++)
      expect(segments[i]!.start).toBeGreaterThanOrEqual(segments[i - 1]!.end);
  });

  it('flush closes the open segment at the last window; reset forgets everything', () => {
    const segmenter = new VadSegmenter();
    for (const p of [...repeat(0.1, 20), ...repeat(0.9, 30)]) segmenter.pushProbability(p);
    expect(segmenter.speechStart).toBe(29 * W - LEAD);
    expect(segmenter.flush()).toEqual({ start: 29 * W - LEAD, end: 50 * W });
    expect(segmenter.flush()).toBeUndefined();
    segmenter.reset();
    expect(segmenter.tail).toBe(0);
    expect(run([...repeat(0.1, 20), ...repeat(0.9, 30)], segmenter)).toEqual([
      { start: 29 * W - LEAD, end: 50 * W },
    ]);
  });

  it('never starts a segment before audio it has dropped', () => {
    // Speech at the very beginning: the lead is clamped to the buffer head (0).
    const segments = run([...repeat(0.9, 30), ...repeat(0.1, 40)]);
    expect(segments[0]!.start).toBe(0);
  });
});

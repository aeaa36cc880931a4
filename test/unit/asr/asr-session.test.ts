// The session layer over the real NeMo streaming recognizer (hybrid fixture): event
// order, endpoints, client Finalize with its silence taken out of reported times, and
// the second pass receiving exactly the segment's audio.
import { describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import type { OfflineRecognizer } from '../../../asr/recognizer.js';
import type { AsrEvent } from '../../../asr/session/asr-events.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { pump, runSession } from '../../../asr/session/run-session.js';
import { SegmentAudio } from '../../../asr/session/segment-audio.js';
import type { AsrResult } from '../../../asr/text/asr-result.js';
import { clip16k, haveData, randomChunks, zooDir } from './helpers/clips.js';
import { fakeOfflineInfo } from './helpers/offline-info.js';

const hybrid = `${zooDir}/nemo-streaming-hybrid`;

/** A recording offline recognizer: returns one word spanning the audio it was given. */
function recordingSecondPass(): OfflineRecognizer & { calls: Float32Array[] } {
  const calls: Float32Array[] = [];
  return {
    calls,
    info: fakeOfflineInfo('recorder'),
    async transcribe(samples: Float32Array): Promise<AsrResult> {
      calls.push(samples);
      const seconds = samples.length / 16000;
      return {
        text: `pass two ${calls.length}`,
        tokens: [1],
        timestamps: [0.1],
        words: [{ word: 'pass', start: 0.1, end: seconds, confidence: 0.9 }],
      };
    },
    async transcribeBatch(all) {
      return Promise.all(all.map((s) => this.transcribe(s)));
    },
    async close() {},
  };
}

/** jfk.wav through a 2-pass session over the hybrid fixture, fed as `chunks` cuts it. */
async function twoPassRun(chunks: (samples: Float32Array) => Iterable<Float32Array>) {
  const recognizer = await loadNemoStreamingRecognizer(hybrid, {
    endpoint: { rule3: { minUtteranceLength: 3 } },
  });
  try {
    const samples = await clip16k('clips/jfk.wav');
    const second = recordingSecondPass();
    const session = new AsrSession(recognizer, { stream: { decoder: 'ctc' }, secondPass: second });
    const finals: Extract<AsrEvent, { type: 'final' }>[] = [];
    await runSession(recognizer, session, chunks(samples), (e) => {
      if (e.type === 'final') finals.push(e);
    });
    return { samples, second, finals };
  } finally {
    await recognizer.close();
  }
}

describe.runIf(haveData())('AsrSession', () => {
  it('emits speech start, partials and finals in order, closing segments at endpoints', async () => {
    const recognizer = await loadNemoStreamingRecognizer(hybrid, {
      endpoint: { rule3: { minUtteranceLength: 4 } },
    });
    try {
      const samples = await clip16k('clips/vad-speech-60s.wav');
      const session = new AsrSession(recognizer, { stream: { decoder: 'hybrid' } });
      const events: AsrEvent[] = [];
      await runSession(recognizer, session, randomChunks(samples, 11, 800, 4000), (e) => {
        events.push(e);
      });
      expect(session.done).toBe(true);
      expect(events.at(-1)).toEqual({ type: 'end' });
      expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
      const finals = events.filter((e) => e.type === 'final');
      expect(finals.length).toBeGreaterThanOrEqual(10);
      expect(finals.at(-1)!.reason).toBe('end-of-input');
      expect(finals.slice(0, -1).every((f) => f.reason === 'endpoint')).toBe(true);
      // Within each segment: speech-started, then partials, then one final, then utterance-end.
      let state: 'idle' | 'speaking' = 'idle';
      let segment = 0;
      for (const e of events) {
        if (e.type === 'speech-started') {
          expect(state).toBe('idle');
          state = 'speaking';
        } else if (e.type === 'partial') {
          expect(state).toBe('speaking');
          expect(e.result.isFinal).toBe(false);
        } else if (e.type === 'final') {
          expect(state).toBe('speaking');
          expect(e.result.isFinal).toBe(true);
          expect(e.result.segment).toBeGreaterThanOrEqual(segment);
          segment = e.result.segment + 1;
          state = 'idle';
        }
      }
      const duration = samples.length / 16000;
      for (const f of finals) {
        for (const w of f.result.words) expect(w.end).toBeLessThanOrEqual(duration + 0.7);
      }
    } finally {
      await recognizer.close();
    }
  });

  it('Finalize closes the segment at once and keeps later times on the audio clock', async () => {
    const recognizer = await loadNemoStreamingRecognizer(hybrid);
    try {
      const samples = await clip16k('clips/jfk.wav');
      const cut = 5 * 16000;
      const session = new AsrSession(recognizer, { stream: { decoder: 'ctc' } });
      const events: AsrEvent[] = [];
      const collect = (e: AsrEvent) => {
        events.push(e);
      };
      session.acceptAudio(samples.subarray(0, cut));
      await pump(recognizer, session, collect);
      session.finalize();
      await pump(recognizer, session, collect);
      const finalized = events.filter((e) => e.type === 'final');
      expect(finalized).toHaveLength(1);
      expect(finalized[0]!.reason).toBe('finalize');
      expect(finalized[0]!.result.words.length).toBeGreaterThan(0);
      for (const w of finalized[0]!.result.words) expect(w.start).toBeLessThan(5 + 0.01);

      session.acceptAudio(samples.subarray(cut));
      session.end();
      await pump(recognizer, session, collect);
      const last = events.filter((e) => e.type === 'final').at(-1)!;
      expect(last.reason).toBe('end-of-input');
      // The second segment starts where the audio was cut, not 0.66 s of padding later.
      expect(last.result.segmentStart).toBeGreaterThanOrEqual(5 - 0.08);
      expect(last.result.segmentStart).toBeLessThan(5 + 0.2);
      for (const w of last.result.words) {
        expect(w.start).toBeGreaterThanOrEqual(last.result.segmentStart);
        expect(w.end).toBeLessThanOrEqual(samples.length / 16000 + 0.7);
      }
    } finally {
      await recognizer.close();
    }
  });

  it('2-pass: the second pass gets the segment audio and its final replaces the partials', async () => {
    const { samples, second, finals } = await twoPassRun((x) => randomChunks(x, 5, 1600, 1600));
    expect(finals.length).toBeGreaterThanOrEqual(3);
    expect(second.calls).toHaveLength(finals.length);
    finals.forEach((f, i) => {
      expect(f.pass).toBe('offline');
      expect(f.result.text).toBe(`pass two ${i + 1}`);
      expect(f.online?.text.length).toBeGreaterThan(0);
      // The audio handed over is the stream's own samples from the segment start (less the lead).
      const start = Math.max(0, Math.round(f.result.segmentStart * 16000) - 0.2 * 16000);
      const given = second.calls[i]!;
      expect(given.length).toBeGreaterThan(0);
      const expected = samples.subarray(start, start + Math.min(given.length, samples.length - start));
      expect(Array.from(given.subarray(0, expected.length))).toEqual(Array.from(expected));
      // Its word times are moved onto the stream clock.
      expect(f.result.words[0]!.start).toBeCloseTo(start / 16000 + 0.1, 5);
    });
  });
});

describe.runIf(haveData())('AsrSession 2-pass, audio accepted whole (a file)', () => {
  it('hands each endpoint segment only its own audio, up to where the next one starts', async () => {
    // One chunk: everything is received before the first endpoint, as in `transcribe`.
    const { samples, second, finals } = await twoPassRun((x) => [x]);
    expect(finals.length).toBeGreaterThanOrEqual(3);
    expect(finals.slice(0, -1).every((f) => f.reason === 'endpoint')).toBe(true);
    const lead = 0.2 * 16000;
    let total = 0;
    finals.forEach((f, i) => {
      const start = Math.max(0, Math.round(f.result.segmentStart * 16000) - lead);
      const end = start + second.calls[i]!.length;
      total += second.calls[i]!.length;
      const next = finals[i + 1];
      // An endpoint segment ends where the next begins; the last one runs to the end.
      if (next !== undefined) expect(end).toBe(Math.round(next.result.segmentStart * 16000));
      else expect(end).toBe(samples.length);
    });
    // Together they cover the clip once, plus the leads.
    expect(total).toBeLessThanOrEqual(samples.length + finals.length * lead);
  });
});

describe('SegmentAudio', () => {
  it('keeps the most recent samples in a fixed ring and slices by absolute index', () => {
    const ring = new SegmentAudio(10);
    const all = Float32Array.from({ length: 37 }, (_, i) => i);
    for (const chunk of randomChunks(all, 3, 1, 7)) ring.push(chunk);
    expect(ring.written).toBe(37);
    expect(ring.oldest).toBe(27);
    expect(Array.from(ring.slice(30, 35))).toEqual([30, 31, 32, 33, 34]);
    expect(Array.from(ring.slice(0, 29))).toEqual([27, 28]);
    expect(ring.slice(40, 50).length).toBe(0);
    ring.push(Float32Array.from({ length: 25 }, (_, i) => 100 + i));
    expect(Array.from(ring.slice(0, 100))).toEqual(Array.from({ length: 10 }, (_, i) => 115 + i));
  });
});

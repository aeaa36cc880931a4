// 2-pass with secondPassCombine 'vote' over the real hybrid fixture: the stream runs both
// heads, each final is the vote among the second pass (pivot) and the two heads, and a
// Finalize lets the RNN-T head catch up before the segment closes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../../asr/nemo/nemo-stream.js';
import type { OfflineRecognizer, SegmentResult } from '../../../asr/recognizer.js';
import type { AsrEvent } from '../../../asr/session/asr-events.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { pump, runSession } from '../../../asr/session/run-session.js';
import type { AsrResult } from '../../../asr/text/asr-result.js';
import { embeddedModels, embeddedModelsDir } from '../../../server/commands/models-embedded.js';
import { readWav } from '../../../streaming/audio/wav-reader.js';
import { codeOf } from '../../fuzz/fuzz-helpers.js';
import { clip16k, haveData, randomChunks, zooDir } from './helpers/clips.js';
import { fakeOfflineInfo } from './helpers/offline-info.js';

const hybrid = `${zooDir}/nemo-streaming-hybrid`;
const noEndpoints = {
  rule1: { minTrailingSilence: 1000 },
  rule2: { minTrailingSilence: 1000 },
  rule3: { minUtteranceLength: 1000 },
};

/**
 * A second pass that, at each call, records what the two heads hold for the segment and
 * answers with the CTC head's words less the first, the last one replaced by 'zzz' (times
 * made relative to the audio it was given, as an offline model's are): only the two heads
 * agreeing against it can bring the real word back, and nothing adds the first.
 */
function overruledSecondPass(heads: () => readonly SegmentResult[], leadSeconds: number) {
  const seen: (readonly SegmentResult[])[] = [];
  const pass: OfflineRecognizer = {
    info: fakeOfflineInfo('zzz'),
    async transcribe(): Promise<AsrResult> {
      const now = heads();
      seen.push(now);
      const ctc = now[0]!;
      const shift = Math.max(0, ctc.segmentStart - leadSeconds);
      const words = ctc.words.slice(1).map((w, i, rest) => ({
        ...w,
        word: i === rest.length - 1 ? 'zzz' : w.word,
        start: w.start - shift,
        end: w.end - shift,
      }));
      return { text: words.map((w) => w.word).join(' '), tokens: [7], timestamps: [0], words };
    },
    async transcribeBatch(all) {
      return Promise.all(all.map((s) => this.transcribe(s)));
    },
    async close() {},
  };
  return { pass, seen };
}

describe.runIf(haveData())('AsrSession 2-pass vote', () => {
  it('refuses a model without both heads, or a stream pinned to one head', async () => {
    const ctcOnly = await loadNemoStreamingRecognizer(`${zooDir}/nemo-streaming-ctc`);
    const both = await loadNemoStreamingRecognizer(hybrid);
    try {
      const { pass } = overruledSecondPass(() => [], 0);
      const attempt = (f: () => unknown) => {
        try {
          f();
        } catch (err) {
          return codeOf(err);
        }
        return 'accepted';
      };
      expect(attempt(() => new AsrSession(ctcOnly, { secondPass: pass, secondPassCombine: 'vote' }))).toBe(
        'ASR_UNSUPPORTED_OPTION',
      );
      expect(
        attempt(
          () =>
            new AsrSession(both, { stream: { decoder: 'ctc' }, secondPass: pass, secondPassCombine: 'vote' }),
        ),
      ).toBe('ASR_UNSUPPORTED_OPTION');
      const session = new AsrSession(both, { secondPass: pass, secondPassCombine: 'vote' });
      expect((session.stream as NemoStream).config.decoder).toBe('hybrid');
      session.close();
    } finally {
      await ctcOnly.close();
      await both.close();
    }
  });

  it('each final is the words a majority said, on the second pass timeline', async () => {
    // The embedded digits model: trained, so its two heads mostly agree (the zoo fixture's
    // random weights give two unrelated babbles).
    const recognizer = await loadNemoStreamingRecognizer(
      path.join(embeddedModelsDir(), embeddedModels.primary),
    );
    try {
      const wav = readWav(readFileSync(path.join(embeddedModelsDir(), 'digits-demo.wav')));
      expect(wav.sampleRate).toBe(16000);
      const samples = wav.channels[0]!;
      let session: AsrSession | undefined;
      const { pass, seen } = overruledSecondPass(
        () => recognizer.headResults(session!.stream as NemoStream),
        0.2,
      );
      session = new AsrSession(recognizer, { secondPass: pass, secondPassCombine: 'vote' });
      const finals: Extract<AsrEvent, { type: 'final' }>[] = [];
      await runSession(recognizer, session, randomChunks(samples, 3, 1600, 4000), (e) => {
        if (e.type === 'final') finals.push(e);
      });
      expect(finals.length).toBeGreaterThanOrEqual(1);
      expect(seen).toHaveLength(finals.length);
      let agreed = 0;
      finals.forEach((f, i) => {
        const [ctc, rnnt] = seen[i]!;
        expect(f.pass).toBe('offline');
        expect(ctc!.words.length).toBeGreaterThan(0);
        expect(ctc!.words.length).toBeGreaterThanOrEqual(2);
        // The pivot is the second pass: the first CTC word it left out stays out, and the
        // word times are its slots (the CTC head's own times from the second word on).
        const kept = ctc!.words.slice(1);
        expect(f.result.words.map((w) => w.start)).toEqual(kept.map((w) => expect.closeTo(w.start, 5)));
        const heard = kept.map((w) => w.word);
        if (rnnt!.words.at(-1)?.word === heard.at(-1)) {
          agreed++;
          // Both heads against the pivot's last word bring it back.
          expect(f.result.text).toBe(heard.join(' '));
          // Its words are no system's whole transcript: no tokens (unless RNN-T's are them).
          expect(f.result.tokens).toEqual(rnnt!.text === heard.join(' ') ? rnnt!.tokens : []);
        } else {
          expect(f.result.words.at(-1)?.word).toBe('zzz');
        }
      });
      expect(agreed).toBeGreaterThan(0);
    } finally {
      await recognizer.close();
    }
  });

  it('a Finalize lets the hybrid RNN-T head decode the whole segment first', async () => {
    const recognizer = await loadNemoStreamingRecognizer(hybrid, { endpoint: noEndpoints });
    try {
      const samples = (await clip16k('clips/jfk.wav')).subarray(0, 6 * 16000);
      const finalOf = async (decoder: 'hybrid' | 'rnnt') => {
        const session = new AsrSession(recognizer, { stream: { decoder } });
        const events: AsrEvent[] = [];
        session.acceptAudio(samples);
        await pump(recognizer, session, (e) => {
          events.push(e);
        });
        session.finalize();
        await pump(recognizer, session, (e) => {
          events.push(e);
        });
        session.close();
        const finals = events.filter((e) => e.type === 'final');
        expect(finals).toHaveLength(1);
        return finals[0]!.result.text;
      };
      const rnnt = await finalOf('rnnt');
      expect(rnnt.length).toBeGreaterThan(0);
      expect(await finalOf('hybrid')).toBe(rnnt);
    } finally {
      await recognizer.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { phonePositions } from '../../../tts/ardit/length-plan.js';
import type { MelVocoder } from '../../../tts/audio/vocoder-stream.js';
import {
  continuationPrompt,
  type MaskGctGraphs,
  type MaskGctModelInfo,
  type MaskGctPrompt,
  type MaskGctResolvedOptions,
  MaskGctSynthesis,
  type PhraseResult,
  planFrames,
  planPhrase,
  resolveMaskGctOptions,
  synthesizeMel,
  type T2sFeed,
  t2sPhonePositions,
} from '../../../tts/maskgct/index.js';
import { MaskGctSynthesizer } from '../../../tts/maskgct/maskgct-synthesizer.js';
import type { DurationTable } from '../../../tts/speech/token-timeline.js';
import { plannedTimeline } from '../../../tts/speech/token-timeline.js';
import { defaultLexicon } from '../../../tts/text/index.js';

// Planning, positions and continuation on the duration-table path (CONTRACT.md "Positions"),
// with hand-built tables and stub graphs: no ONNX. Parity with PyTorch is maskgct-model.test.ts.

const VOCAB = 48;
/** Rows 'a' (2 frames per token, lead 1), 'b' (3, lead 2), pooled '*' (4, lead 3). */
const table: DurationTable = {
  voices: ['a', 'b', '*'],
  lead: [1, 2, 3],
  frames: [2, 3, 4].map((d) => Array.from({ length: VOCAB }, () => d)),
};
const even: MaskGctModelInfo = {
  vocabSize: VOCAB,
  semVocab: VOCAB,
  semStates: 1,
  numMels: 2,
  codecLayers: 2,
  codebookSize: 8,
  framesPerPhone: 3,
};
const planned: MaskGctModelInfo = { ...even, durations: table };

function options(info: MaskGctModelInfo, o: Parameters<typeof resolveMaskGctOptions>[1] = {}) {
  return resolveMaskGctOptions(info, o) as MaskGctResolvedOptions;
}

/** Graphs with flat logits that record every T2S feed. */
function stubGraphs(info: MaskGctModelInfo, feeds: T2sFeed[] = []): MaskGctGraphs {
  return {
    info,
    async t2s(feed) {
      feeds.push({ ...feed, phonePos: feed.phonePos.slice() });
      return new Float32Array(feed.dropPrefix.length * feed.semIds.length * info.semVocab);
    },
    async s2a(feed) {
      return new Float32Array(feed.dropPrefix.length * feed.semIds.length * info.codebookSize);
    },
    async decode(_, numFrames) {
      return new Float32Array(numFrames * info.numMels);
    },
  };
}

function result(phones: number[], numFrames: number, centres?: number[]): PhraseResult {
  const base = {
    phones,
    numFrames,
    sem: Int32Array.from({ length: numFrames }, (_, i) => i),
    ac: Int32Array.from({ length: numFrames * 2 }, (_, i) => i),
    logMel: new Float32Array(numFrames * 2),
  };
  return centres === undefined ? base : { ...base, centres: Float64Array.from(centres) };
}

describe('planPhrase', () => {
  it('plans from the voice row: centres and length where the last phone ends', () => {
    const plan = planPhrase(planned, [10, 11, 9], options(planned, { voice: 'b' }));
    expect([...plan.centres!]).toEqual([3.5, 6.5, 9.5]);
    expect(plan.numFrames).toBe(11);
  });

  it('uses the pooled row for an unknown or absent voice', () => {
    for (const voice of ['nobody', undefined]) {
      const plan = planPhrase(planned, [10, 11, 9], options(planned, voice ? { voice } : {}));
      expect([...plan.centres!]).toEqual([5, 9, 13]);
      expect(plan.numFrames).toBe(15);
    }
  });

  it('divides every duration by speed and rounds the length half up', () => {
    const plan = planPhrase(planned, [10, 11, 9], options(planned, { voice: 'a', speed: 2 }));
    expect([...plan.centres!]).toEqual([1, 2, 3]);
    expect(plan.numFrames).toBe(4); // total 3.5
    const slow = planPhrase(planned, [10], options(planned, { voice: 'a', speed: 0.8 }));
    expect(slow.numFrames).toBe(Math.floor(1 / 0.8 + 2 / 0.8 + 0.5));
  });

  it('scales the centres onto a fixed numFrames as (centre * L) / total', () => {
    const plan = planPhrase(planned, [10, 11, 9], options(planned, { voice: 'b', numFrames: 7 }));
    expect(plan.numFrames).toBe(7);
    expect([...plan.centres!]).toEqual([3.5, 6.5, 9.5].map((c) => (c * 7) / 11));
  });

  it('keeps zero centres when the plan has no length, and needs 1..maxFrames frames', () => {
    const zero: MaskGctModelInfo = {
      ...even,
      durations: { voices: ['*'], lead: [0], frames: [Array.from({ length: VOCAB }, () => 0)] },
    };
    expect(planPhrase(zero, [10, 11], options(zero)).numFrames).toBe(1);
    const fixed = planPhrase(zero, [10, 11], options(zero, { numFrames: 5 }));
    expect([fixed.numFrames, ...fixed.centres!]).toEqual([5, 0, 0]);
    expect(() => planPhrase(planned, [10, 11, 9], options(planned, { voice: 'b', maxFrames: 10 }))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => planPhrase(planned, [], options(planned))).toThrow(
      expect.objectContaining({ code: 'MODEL_FEED_INVALID' }),
    );
  });

  it('without a table plans as before (framesPerPhone) and gives no centres', () => {
    const o = options(even, { speed: 1.25, voice: 'b' });
    const plan = planPhrase(even, [10, 11, 9], o);
    expect(plan).toEqual({ numFrames: planFrames(3, 3, o) });
    expect(plan.numFrames).toBe(7);
  });
});

describe('t2sPhonePositions', () => {
  const prompt: MaskGctPrompt = { phones: [20, 21], sem: new Int32Array(4), ac: new Int32Array(8) };

  it('spreads every phone evenly over prompt + target without centres', () => {
    expect(t2sPhonePositions(prompt, 3, { numFrames: 7 })).toEqual(phonePositions(5, 11));
  });

  it('puts target phones at Tp + centre and prompt phones evenly over the prompt', () => {
    const pos = t2sPhonePositions(prompt, 2, { numFrames: 9, centres: Float64Array.from([1 / 3, 5.25]) });
    expect([...pos]).toEqual([1, 3, Math.fround(4 + 1 / 3), 9.25]);
  });

  it("puts prompt phones at the prompt's phonePos when it has them", () => {
    const aligned = { ...prompt, phonePos: Float64Array.from([0.5, 2.1]) };
    const pos = t2sPhonePositions(aligned, 1, { numFrames: 3, centres: Float64Array.from([1.5]) });
    expect([...pos]).toEqual([0.5, Math.fround(2.1), 5.5]);
  });
});

describe('continuationPrompt', () => {
  it('keeps the phones centred in the last n frames, at centre - w', () => {
    const res = result([10, 11, 9], 11, [3.5, 6.5, 9.5]);
    const next = continuationPrompt(res, 5, 2); // n 5, w 6
    expect(next.phones).toEqual([11, 9]);
    expect([...next.phonePos!]).toEqual([0.5, 3.5]);
    expect([...next.sem]).toEqual([6, 7, 8, 9, 10]);
    expect([...next.ac]).toEqual([...res.ac.subarray(12)]);
  });

  it('keeps at least the last phone, even when its centre is before the window', () => {
    const next = continuationPrompt(result([10, 11, 9], 11, [3.5, 6.5, 9.5]), 1, 2); // w 10
    expect(next.phones).toEqual([9]);
    expect([...next.phonePos!]).toEqual([-0.5]);
    expect(next.sem.length).toBe(1);
  });

  it('keeps every phone when the window is the whole phrase', () => {
    const next = continuationPrompt(result([10, 11, 9], 11, [3.5, 6.5, 9.5]), 50, 2);
    expect(next.phones).toEqual([10, 11, 9]);
    expect([...next.phonePos!]).toEqual([3.5, 6.5, 9.5]);
  });

  it('without centres keeps the last ceil(P n / L) phones and no positions', () => {
    const next = continuationPrompt(result([10, 11, 9], 11), 5, 2);
    expect(next.phones).toEqual([11, 9]);
    expect(next.phonePos).toBeUndefined();
  });
});

describe('MaskGctSynthesis positions on the table path (stub graphs)', () => {
  it('feeds the planned positions, and the continuation positions to the next phrase', async () => {
    const feeds: T2sFeed[] = [];
    const prompt: MaskGctPrompt = {
      phones: [20, 21],
      sem: new Int32Array(4),
      ac: new Int32Array(8),
      phonePos: Float64Array.from([1.25, 2.75]),
    };
    const opts = { voice: 'b', t2sSteps: 2, s2aSteps: [1, 1], promptFrames: 5, prompt };
    const { results } = await synthesizeMel(
      stubGraphs(planned, feeds),
      [
        [10, 11, 9],
        [12, 13],
      ],
      opts,
    );
    expect(results.map((r) => r.numFrames)).toEqual([11, 8]);
    expect([...results[0]!.centres!]).toEqual([3.5, 6.5, 9.5]);
    expect(feeds).toHaveLength(4);
    expect([...feeds[0]!.phonePos]).toEqual([1.25, 2.75, 7.5, 10.5, 13.5]);
    // Phrase 2: prompt = last 5 frames (w = 6) with phones 11, 9 at 0.5, 3.5; target at 5 + centre.
    expect(feeds[2]!.phoneIds).toEqual([11, 9, 12, 13]);
    expect([...feeds[2]!.phonePos]).toEqual([0.5, 3.5, 8.5, 11.5]);
  });

  it('ignores a prompt phonePos on a model without a table', async () => {
    const feeds: T2sFeed[] = [];
    const prompt = {
      phones: [20, 21],
      sem: new Int32Array(4),
      ac: new Int32Array(8),
      phonePos: Float64Array.from([9, 9]),
    };
    await synthesizeMel(stubGraphs(even, feeds), [[10, 11, 9]], { t2sSteps: 1, s2aSteps: [1, 1], prompt });
    expect(feeds[0]!.phonePos).toEqual(phonePositions(5, 4 + 9));
  });

  it('refuses a prompt phonePos of the wrong length or with a non-finite value', () => {
    const graphs = stubGraphs(planned);
    const base = { phones: [20, 21], sem: new Int32Array(4), ac: new Int32Array(8) };
    for (const phonePos of [
      Float64Array.from([1]),
      Float64Array.from([1, Number.NaN]),
      Float64Array.from([1, Infinity]),
    ]) {
      expect(() => new MaskGctSynthesis(graphs, [[10]], { prompt: { ...base, phonePos } })).toThrow(
        expect.objectContaining({ code: 'MODEL_FEED_INVALID' }),
      );
    }
  });

  it('plans the frames of every phrase up front from the voice row', () => {
    const s = new MaskGctSynthesis(stubGraphs(planned), [[10, 11, 9], [12]], { voice: 'a' });
    expect(s.frames).toEqual([7, 3]);
    expect(
      () => new MaskGctSynthesis(stubGraphs(planned), [[10]], { voice: 3 as unknown as string }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('MaskGctSynthesizer', () => {
  it("plans each request with the requested voice's duration row", async () => {
    const feeds: T2sFeed[] = [];
    const vocoder: MelVocoder & { sampleRate: number } = {
      sampleRate: 16000,
      hopLength: 4,
      numMels: 2,
      receptiveLeftFrames: 0,
      lookaheadFrames: 0,
      async synthesize(_, numFrames) {
        return new Float32Array(numFrames * 4);
      },
    };
    const voice = (name: string) => ({
      name,
      prompt: {
        phones: [20],
        sem: new Int32Array(2),
        ac: new Int32Array(4),
        phonePos: Float64Array.from([1]),
      },
    });
    const synth = new MaskGctSynthesizer({
      id: 'stub',
      graphs: stubGraphs(planned, feeds),
      vocoder,
      lexicon: defaultLexicon(),
      provider: 'cpu',
      voices: [voice('a'), voice('b'), voice('c')],
      generation: { t2sSteps: 1, s2aSteps: [1, 1] },
    });
    for (const name of ['b', 'c']) {
      feeds.length = 0;
      for await (const _ of synth.speak({ text: 'Hello.', voice: name })) {
        // drain
      }
      const ids = feeds[0]!.phoneIds.slice(1);
      const { centres } = plannedTimeline(table, name === 'b' ? 1 : 2, ids, 1); // 'c' has no row: pooled
      expect([...feeds[0]!.phonePos]).toEqual([1, ...[...centres].map((c) => Math.fround(2 + c))]);
    }
  });
});

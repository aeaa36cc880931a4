// Encoder caches kept as rows of a batch's output tensors between calls (encoder-cache.ts)
// on a real model: batches that change as streams come, go, reset and close give each
// stream the tokens it gets alone; a batch of the same streams really is fed its own
// outputs back; and batches are freed and compacted as streams move.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../../asr/nemo/nemo-stream.js';
import type { NemoStreamingRecognizer } from '../../../asr/nemo/nemo-streaming-recognizer.js';
import type { StreamingDecoderChoice } from '../../../asr/recognizer.js';
import type { ResidentBatch } from '../../../models/nemo/encoder-cache.js';
import { ModelSession } from '../../../models/runtime/session.js';
import type { ModelTensor } from '../../../models/runtime/tensor.js';
import { clip16k, randomChunks, zooDir } from './helpers/clips.js';

const clips = [
  'clips/jfk.wav',
  'fsdd/recordings/0_theo_0.wav',
  'fsdd/recordings/3_lucas_40.wav',
  'clips/jfk.wav',
];

/** Live-like rounds: uneven chunks per stream, every ready stream decoded together; stream 1 closes early. */
async function liveRounds(
  recognizer: NemoStreamingRecognizer,
  audio: readonly Float32Array[],
  decoder: StreamingDecoderChoice,
): Promise<(number[] | undefined)[]> {
  const chunked = audio.map((samples, i) => randomChunks(samples, 7 + i, 1600, 8000));
  const streams = audio.map(() => recognizer.createStream({ decoder }));
  const next = audio.map(() => 0);
  const out: (number[] | undefined)[] = audio.map(() => undefined);
  let round = 0;
  const open = () => streams.filter((s) => !s.isClosed);
  while (open().some((s) => !s.isInputFinished || recognizer.isReady(s))) {
    round++;
    streams.forEach((s, i) => {
      if (s.isClosed || s.isInputFinished) return;
      const chunk = chunked[i]![next[i]!++];
      if (chunk) s.acceptAudio(chunk);
      else s.inputFinished();
    });
    if (round === 4) streams[1]?.close();
    for (;;) {
      const ready: NemoStream[] = open().filter((s) => recognizer.isReady(s));
      if (ready.length === 0) break;
      await recognizer.decode(ready);
      for (const s of ready) if (recognizer.isEndpoint(s)) recognizer.reset(s);
    }
  }
  streams.forEach((s, i) => {
    if (!s.isClosed) out[i] = [...recognizer.result(s).tokens];
    s.close();
  });
  return out;
}

describe('encoder caches kept in the batch outputs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['nemo-streaming-ctc', 'ctc'],
    ['nemo-streaming-transducer', 'rnnt'],
  ] as const)('%s: changing batches give each stream its tokens alone', async (name, decoder) => {
    const audio = await Promise.all(clips.map(clip16k));
    const recognizer = await loadNemoStreamingRecognizer(`${zooDir}/${name}`);
    try {
      // Alone, with the same segment resets at endpoints (one stream, so every step after
      // the first is fed its own outputs back).
      const alone = [];
      for (const samples of audio) alone.push((await liveRounds(recognizer, [samples], decoder))[0]);
      const together = await liveRounds(recognizer, audio, decoder);
      expect(together[1]).toBeUndefined(); // closed at round 4
      expect(together.filter(Boolean).length).toBe(3);
      together.forEach((tokens, i) => {
        if (tokens !== undefined) expect(tokens, clips[i]).toEqual(alone[i]);
      });
    } finally {
      await recognizer.close();
    }
  });

  it('feeds a batch of the same streams its own output tensors, and frees batches as streams go', async () => {
    // Caches zeroed at reset (sherpa's way), so that a reset lets go of the stream's row.
    const recognizer = await loadNemoStreamingRecognizer(`${zooDir}/nemo-streaming-ctc`, {
      cachesAtReset: 'zero',
    });
    const fed: ModelTensor[] = [];
    const returned = new Set<ModelTensor>();
    const run = ModelSession.prototype.runPositional;
    vi.spyOn(ModelSession.prototype, 'runPositional').mockImplementation(async function (
      this: ModelSession,
      inputs,
    ) {
      fed.push(inputs[2]!);
      const out = await run.call(this, inputs);
      returned.add(out[2]!);
      return out;
    });
    try {
      const audio = await clip16k('clips/jfk.wav');
      const streams = [0, 1, 2, 3].map(() => recognizer.createStream());
      for (const s of streams) s.acceptAudio(audio);
      for (let step = 0; step < 5; step++) await recognizer.decode(streams);
      // Every step after the first ran on the previous step's cache tensor itself.
      expect(fed.length).toBe(5);
      expect(returned.has(fed[0]!)).toBe(false);
      for (const t of fed.slice(1)) expect(returned.has(t)).toBe(true);
      const first = streams[0]!.cache.home as ResidentBatch;
      expect(first.holdsAll(streams.map((s) => s.cache))).toBe(true);

      // Two streams step on their own: the other two are left in a half-empty batch,
      // which moves them to one of their own size rather than hold four streams' memory.
      await recognizer.decode(streams.slice(0, 2));
      expect(returned.has(fed[5]!)).toBe(false);
      expect(first.disposed).toBe(true);
      const rest = streams[2]!.cache.home as ResidentBatch;
      expect(rest.size).toBe(2);
      expect(rest.holdsAll([streams[2]!.cache, streams[3]!.cache])).toBe(true);
      // In the other order: still fed back, each stream at its row.
      await recognizer.decode([streams[3]!, streams[2]!]);
      expect(fed[6]).toBe(rest.channel);

      // A reset (caches zeroed) leaves the batch; closing the last stream in it frees it.
      const pair = streams[0]!.cache.home as ResidentBatch;
      recognizer.reset(streams[0]!);
      expect(pair.disposed).toBe(false);
      streams[1]!.close();
      expect(pair.disposed).toBe(true);
      for (const s of streams) s.close();
    } finally {
      await recognizer.close();
    }
  });
});

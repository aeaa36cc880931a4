// The engine worker end to end: sessions opened from the main thread, audio transferred,
// batched decoding in the worker, events back; results equal an in-process session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { runSession } from '../../../asr/session/run-session.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import type { BatchStats } from '../../../server/engine/engine-protocol.js';
import { clip16k, haveData, randomChunks, zooDir } from '../asr/helpers/clips.js';
import { collectEvents } from './helpers/collect-events.js';

const model = `${zooDir}/nemo-streaming-hybrid`;

async function inProcessFinals(samples: Float32Array): Promise<string[]> {
  const recognizer = await loadNemoStreamingRecognizer(model);
  try {
    const session = new AsrSession(recognizer, { stream: { decoder: 'ctc' } });
    const finals: string[] = [];
    await runSession(recognizer, session, [samples], (e) => {
      if (e.type === 'final') finals.push(e.result.text);
    });
    return finals;
  } finally {
    await recognizer.close();
  }
}

describe.runIf(haveData())('EngineClient (worker thread)', () => {
  let client: EngineClient;
  const batches: BatchStats[] = [];

  beforeAll(async () => {
    client = await EngineClient.start({
      model,
      provider: 'cpu',
      threads: 1,
      maxBatch: 8,
      maxWaitMs: 20,
      onBatch: (s) => batches.push(s),
    });
  });

  afterAll(async () => {
    await client?.stop();
  });

  it('describes the loaded model and the provider in use', () => {
    expect(client.engine.primary.id).toBe('nemo-streaming-hybrid');
    expect(client.engine.primary.mode).toBe('streaming');
    expect(client.engine.providers['nemo-streaming-hybrid']).toBe('cpu');
  });

  it('decodes concurrent sessions in batches and gives the in-process result', async () => {
    const clips = ['clips/jfk.wav', 'clips/stereo-two-speakers.wav', 'fsdd/recordings/0_theo_0.wav'];
    const audio = await Promise.all(clips.map(clip16k));
    const expected = await Promise.all(audio.map(inProcessFinals));
    const runs = await Promise.all(
      audio.map(async (samples, i) => {
        const c = collectEvents();
        const session = await client.openSession({ decoder: 'ctc' }, c.handlers);
        for (const chunk of randomChunks(samples, 40 + i, 800, 3200)) session.sendAudio(chunk.slice());
        session.end();
        await c.done;
        session.close();
        return c.events;
      }),
    );
    runs.forEach((events, i) => {
      const finals = events
        .filter((e) => e.type === 'final')
        .map((e) => (e.type === 'final' ? e.result.text : ''));
      expect(finals, clips[i]).toEqual(expected[i]);
      expect(events.some((e) => e.type === 'partial')).toBe(true);
    });
    expect(Math.max(...batches.map((b) => b.size))).toBeGreaterThan(1);
    expect(batches.every((b) => b.decodeMs >= 0 && b.waitMs.every((w) => w >= 0))).toBe(true);
    expect(client.sessionCount).toBe(0);
  });

  it('rejects invalid session options with the coded error', async () => {
    await expect(client.openSession({ lookahead: 5 }, collectEvents().handlers)).rejects.toMatchObject({
      code: 'ASR_UNSUPPORTED_OPTION',
    });
    await expect(client.openSession({ twoPass: true }, collectEvents().handlers)).rejects.toMatchObject({
      code: 'ASR_UNSUPPORTED_OPTION',
    });
  });

  it('accounts the backlog so a transport can pause and resume its client', async () => {
    const samples = await clip16k('clips/vad-speech-60s.wav');
    let drained = 0;
    const c = collectEvents();
    const session = await client.openSession(
      { decoder: 'ctc', interimResults: false },
      { ...c.handlers, onDrain: () => drained++ },
    );
    // 60 s of audio at once: far beyond the 5 s high-water mark.
    for (const chunk of randomChunks(samples, 9, 16000, 16000)) session.sendAudio(chunk.slice());
    expect(session.overloaded).toBe(true);
    session.end();
    await c.done;
    expect(session.backlogSeconds).toBeLessThan(1);
    expect(drained).toBe(1);
    session.close();
  });
});

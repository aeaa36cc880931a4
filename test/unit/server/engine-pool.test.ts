// Several engine workers behind one handle: sessions spread over the workers by load, each
// gives the same transcript one worker gives, and stopping ends them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AsrEvent } from '../../../asr/session/asr-events.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import {
  AUTO_BATCHING,
  AUTO_WORKERS_MAX,
  EnginePool,
  resolveBatching,
  resolveEngineWorkers,
} from '../../../server/engine/engine-pool.js';
import type { BatchStats } from '../../../server/engine/engine-protocol.js';
import { clip16k, haveData, randomChunks, zooDir } from '../asr/helpers/clips.js';
import { collectEvents } from './helpers/collect-events.js';

const model = `${zooDir}/nemo-streaming-hybrid`;
const base = { model, provider: 'cpu', threads: 1, maxBatch: 8, maxWaitMs: 5 } as const;

const finals = (events: readonly AsrEvent[]) =>
  events.flatMap((e) => (e.type === 'final' ? [e.result.text] : []));

describe('resolveEngineWorkers', () => {
  it('gives a number as set, and auto one per core on CPU, capped', () => {
    expect(resolveEngineWorkers(3, 'cpu', 16)).toBe(3);
    expect(resolveEngineWorkers('auto', 'cpu', 2)).toBe(2);
    expect(resolveEngineWorkers('auto', 'cpu', 1)).toBe(1);
    expect(resolveEngineWorkers('auto', 'cpu', 64)).toBe(AUTO_WORKERS_MAX);
  });

  it('gives one worker for a GPU or an automatic provider choice', () => {
    for (const provider of ['cuda', 'tensorrt', 'webgpu', 'auto']) {
      expect(resolveEngineWorkers('auto', provider, 16)).toBe(1);
    }
    expect(resolveEngineWorkers(2, 'cuda', 16)).toBe(2);
  });
});

describe('resolveBatching', () => {
  it('gives numbers as set, and auto smaller, sooner batches on CPU than on a GPU', () => {
    expect(resolveBatching(8, 3, 'cpu')).toEqual({ maxBatch: 8, maxWaitMs: 3 });
    expect(resolveBatching('auto', 'auto', 'cpu')).toEqual(AUTO_BATCHING.cpu);
    expect(resolveBatching('auto', 20, 'cpu')).toEqual({
      maxBatch: AUTO_BATCHING.cpu.maxBatch,
      maxWaitMs: 20,
    });
    for (const provider of ['cuda', 'tensorrt', 'webgpu', 'auto']) {
      expect(resolveBatching('auto', 'auto', provider)).toEqual(AUTO_BATCHING.gpu);
    }
    expect(AUTO_BATCHING.gpu.maxBatch).toBeGreaterThan(AUTO_BATCHING.cpu.maxBatch);
  });
});

describe.runIf(haveData())('EnginePool (several engine workers)', () => {
  let pool: EnginePool;
  const batches: BatchStats[] = [];

  beforeAll(async () => {
    pool = await EnginePool.start({ ...base, workers: 2 });
    pool.onBatch = (s) => batches.push(s);
  });

  afterAll(async () => {
    await pool?.stop();
  });

  it('describes the model as one worker does', () => {
    expect(pool.workers).toHaveLength(2);
    expect(pool.workerCount).toBe(2);
    expect(pool.engine.primary.id).toBe('nemo-streaming-hybrid');
    expect(pool.sampleRate).toBe(16000);
    expect(pool.engine.providers['nemo-streaming-hybrid']).toBe('cpu');
  });

  it('opens each session on the worker with the fewest and gives one worker’s transcripts', async () => {
    const clips = ['clips/jfk.wav', 'fsdd/recordings/3_theo_7.wav', 'fsdd/recordings/8_theo_9.wav'];
    const audio = await Promise.all(clips.map(clip16k));

    // The reference: the same sessions through a single worker.
    const single = await EngineClient.start(base);
    const expected: string[][] = [];
    try {
      for (const samples of audio) {
        const c = collectEvents();
        const s = await single.openSession({ decoder: 'ctc' }, c.handlers);
        s.sendAudio(samples.slice());
        s.end();
        await c.done;
        s.close();
        expected.push(finals(c.events));
      }
    } finally {
      await single.stop();
    }

    const runs = audio.map(() => collectEvents());
    const sessions = [];
    for (const [i, run] of runs.entries()) {
      sessions.push(await pool.openSession({ decoder: 'ctc' }, run.handlers));
      // 1, then 1+1, then 2+1: the third goes back to the first worker.
      expect(pool.workers.map((w) => w.sessionCount)).toEqual(
        [
          [1, 0],
          [1, 1],
          [2, 1],
        ][i],
      );
    }
    expect(pool.sessionCount).toBe(3);
    sessions.forEach((s, i) => {
      for (const chunk of randomChunks(audio[i]!, 70 + i, 800, 3200)) s.sendAudio(chunk.slice());
      s.end();
    });
    await Promise.all(runs.map((r) => r.done));
    for (const s of sessions) s.close();
    for (const [i, r] of runs.entries()) expect(finals(r.events), clips[i]).toEqual(expected[i]);
    // Both workers decoded, and their batches reached the one onBatch callback.
    expect(batches.length).toBeGreaterThan(0);
    expect(pool.sessionCount).toBe(0);
  });

  it('rejects invalid session options with the coded error', async () => {
    await expect(pool.openSession({ lookahead: 5 }, collectEvents().handlers)).rejects.toMatchObject({
      code: 'ASR_UNSUPPORTED_OPTION',
    });
    expect(pool.sessionCount).toBe(0);
  });
});

describe.runIf(haveData())('EnginePool start-up', () => {
  it('refuses a worker count below one', async () => {
    await expect(EnginePool.start({ ...base, workers: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('fails with the worker’s coded error when the model cannot load', async () => {
    await expect(
      EnginePool.start({ ...base, model: `${zooDir}/does-not-exist`, workers: 2 }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^MODEL_/) });
  });
});

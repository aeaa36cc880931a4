// Faults on the server's side: a model run that throws (through the engine worker's
// test-only fault hook, EngineWorkerData.faults), ffmpeg missing or dying mid-decode for
// /v1/audio/transcriptions. Each ends the affected session with a coded error, frees it,
// leaves no ffmpeg behind, and the server goes on serving.
import { randomUUID } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import type { EngineFaults } from '../../../server/engine/engine-protocol.js';
import { clip16k, dataDir, haveData, zooDir } from '../asr/helpers/clips.js';
import { makeTmpDir } from '../audio/helpers.js';
import {
  connect,
  type Harness,
  startServer,
  testLimits,
  toLinear16,
  type WsMessage,
} from '../server/helpers/server-harness.js';
import { expectHealthy, sleep, waitForNoSessions } from './helpers.js';

/** The in-process server of the harness, on an engine with injected faults. */
async function startFaultyServer(faults: EngineFaults): Promise<Harness & { batchSizes: number[] }> {
  const engine = await EngineClient.start({
    model: `${zooDir}/nemo-streaming-hybrid`,
    provider: 'cpu',
    threads: 1,
    maxBatch: 16,
    maxWaitMs: 20,
    faults,
  });
  const app = await buildApp({ engine, limits: testLimits, auth: { apiKeys: [] }, corsOrigins: [] });
  const batchSizes: number[] = [];
  const observe = engine.onBatch;
  engine.onBatch = (stats) => {
    batchSizes.push(stats.size);
    observe?.(stats);
  };
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.fastify.server.address() as AddressInfo;
  return {
    app,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    close: () => app.shutdown(),
    batchSizes,
  };
}

const finalTexts = (messages: WsMessage[]) =>
  messages
    .filter((m) => m.type === 'Results' && m.is_final === true)
    .map(
      (m) =>
        (m as unknown as { channel: { alternatives: { transcript: string }[] } }).channel.alternatives[0]!
          .transcript,
    )
    .join(' ')
    .trim();

/** Sends the audio in 100 ms frames, all at once or paced. */
async function stream(c: ReturnType<typeof connect>, samples: Float32Array, gapMs: number): Promise<void> {
  const bytes = toLinear16(samples);
  for (let at = 0; at < bytes.length; at += 3200) {
    if (c.socket.readyState !== c.socket.OPEN) return;
    c.socket.send(bytes.subarray(at, at + 3200));
    if (gapMs > 0) await sleep(gapMs);
  }
}

describe.runIf(haveData())('a model run that throws', () => {
  it('ends only its own session (MODEL_RUN_FAILED, 1011); the engine frees it and goes on serving', async () => {
    // Session 1 fails on its fourth decode; session 2 opens afterwards and must work.
    const server = await startFaultyServer({ failDecodeOfSessions: [1], afterDecodes: 3 });
    try {
      const speech = (await clip16k('clips/jfk.wav')).subarray(0, 5 * 16000);
      const victim = connect(`${server.url}/v1/listen?decoder=ctc&interim_results=true`);
      await victim.opened;
      await stream(victim, speech, 10);
      expect(await victim.closed).toBe(1011);
      expect(victim.messages.at(-1)).toMatchObject({ type: 'Error', code: 'MODEL_RUN_FAILED' });
      await waitForNoSessions(server);
      await expectHealthy(server);

      const next = connect(`${server.url}/v1/listen?decoder=ctc`);
      await next.opened;
      await stream(next, speech, 0);
      next.socket.send(JSON.stringify({ type: 'CloseStream' }));
      expect(await next.closed).toBe(1000);
      expect(finalTexts(next.messages).length).toBeGreaterThan(0);
      await waitForNoSessions(server);
    } finally {
      await server.close();
    }
  });

  it('a failing stream does not take down the sessions decoded in the same batch', async () => {
    // Session 1 is the neighbour, session 2 fails on its sixth decode; both stream at once.
    const server = await startFaultyServer({ failDecodeOfSessions: [2], afterDecodes: 5 });
    try {
      const speech = (await clip16k('clips/jfk.wav')).subarray(0, 6 * 16000);
      const neighbour = connect(`${server.url}/v1/listen?decoder=ctc`);
      await neighbour.opened;
      await neighbour.waitFor((m) => m.type === 'Metadata');
      const victim = connect(`${server.url}/v1/listen?decoder=ctc`);
      await victim.opened;
      await victim.waitFor((m) => m.type === 'Metadata');
      await Promise.all([stream(neighbour, speech, 20), stream(victim, speech, 20)]);
      expect(await victim.closed).toBe(1011);
      expect(victim.messages.at(-1)).toMatchObject({ type: 'Error', code: 'MODEL_RUN_FAILED' });
      neighbour.socket.send(JSON.stringify({ type: 'CloseStream' }));
      expect(await neighbour.closed).toBe(1000);
      expect(neighbour.messages.filter((m) => m.type === 'Error')).toEqual([]);
      expect(finalTexts(neighbour.messages).length).toBeGreaterThan(0);
      // The two were decoded together, so the failure did hit a shared batch.
      expect(Math.max(...server.batchSizes)).toBeGreaterThan(1);
      await waitForNoSessions(server);
    } finally {
      await server.close();
    }
  });
});

/** Processes (ours) whose environment carries `marker`: what a fake or real ffmpeg left behind. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

describe.runIf(haveData())('ffmpeg faults on /v1/audio/transcriptions', () => {
  const tmp = makeTmpDir('ffmpeg-faults');
  const marker = `SPEECHSTREAM_FAKE_FFMPEG=${randomUUID()}`;
  const saved = process.env.FFMPEG_PATH;
  let server: Harness;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = saved;
    await server?.close();
    tmp.cleanup();
  });

  async function upload(clip: string): Promise<{ status: number; code?: string; text: string }> {
    const body = new FormData();
    body.append('file', new Blob([readFileSync(path.join(dataDir, clip))]), path.basename(clip));
    const res = await fetch(`${server.http}/v1/audio/transcriptions`, { method: 'POST', body });
    const text = await res.text();
    const code =
      res.status === 200 ? undefined : (JSON.parse(text) as { error: { code: string } }).error.code;
    return { status: res.status, code, text };
  }

  it('FFMPEG_PATH pointing at a non-executable: AUDIO_FFMPEG_MISSING, and WAV uploads still work', async () => {
    const notExecutable = path.join(tmp.dir, 'ffmpeg');
    writeFileSync(notExecutable, 'not a program');
    for (const bad of [notExecutable, path.join(tmp.dir, 'missing', 'ffmpeg')]) {
      process.env.FFMPEG_PATH = bad;
      const res = await upload('clips/jfk.mp3');
      expect(res.status).toBe(500);
      expect(res.code).toBe('AUDIO_FFMPEG_MISSING');
      await waitForNoSessions(server);
    }
    // The native WAV path needs no ffmpeg.
    const wav = await upload('clips/jfk.wav');
    expect(wav.status, wav.text).toBe(200);
    await expectHealthy(server);
  });

  it('ffmpeg dying mid-decode (exit 1 after some output): AUDIO_DECODE_FAILED, no process left, server up', async () => {
    const fake = path.join(tmp.dir, 'crashing-ffmpeg');
    // Answers fluent-ffmpeg's capability probes with the real ffmpeg, then decodes for real
    // but dies after 64 kB of output, as a crashing build would.
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        `export ${marker}`,
        'for a in "$@"; do case "$a" in -formats|-codecs|-encoders|-filters|-version) exec ffmpeg "$@";; esac; done',
        'ffmpeg "$@" | head -c 65536',
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    process.env.FFMPEG_PATH = fake;
    const res = await upload('clips/vad-speech.mp3');
    expect(res.status, res.text).toBe(400);
    expect(res.code).toBe('AUDIO_DECODE_FAILED');
    await waitForNoSessions(server);
    for (let i = 0; i < 100 && processesWith(marker).length > 0; i++) await sleep(20);
    expect(processesWith(marker)).toEqual([]);
    delete process.env.FFMPEG_PATH;
    const ok = await upload('clips/jfk.mp3');
    expect(ok.status, ok.text).toBe(200);
    await expectHealthy(server);
  });
});

// Starts the real server in-process on port 0 with a TTS worker on the random-weight speech
// fixtures (and an ASR engine worker on a zoo fixture, which every app has), plus helpers to
// read streamed speech responses.
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type App, buildApp } from '../../../server/app.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import type { ServerLimits } from '../../../server/server-context.js';
import { TtsClient, type TtsClientOptions } from '../../../server/tts/tts-client.js';
import { zooDir } from '../asr/helpers/clips.js';
import { testLimits } from './helpers/server-harness.js';

export const arditDir = resolve(import.meta.dirname, '../../fixtures/tts/ardit-tiny');
export const maskgctDir = resolve(import.meta.dirname, '../../fixtures/tts/maskgct-tiny');

const sentences = (n: number) =>
  Array.from({ length: n }, (_, i) => `Sentence number ${i + 1} is here, and it goes on for a while.`).join(
    ' ',
  );

/** Long enough that its synthesis takes many seconds on the fixture: only for cancelled requests. */
export const LONG_TEXT = sentences(60);
/** Several phrases: a synthesis of a second or two, many chunks. */
export const MEDIUM_TEXT = sentences(6);

export interface SpeechHarness {
  app: App;
  http: string;
  tts: TtsClient | undefined;
  close(): Promise<void>;
}

export async function startSpeechServer(
  opts: {
    tts?: Partial<TtsClientOptions> | false;
    apiKeys?: string[];
    limits?: Partial<ServerLimits>;
    corsOrigins?: string[];
    drainTimeoutMs?: number;
  } = {},
): Promise<SpeechHarness> {
  const [engine, tts] = await Promise.all([
    EngineClient.start({
      model: `${zooDir}/nemo-streaming-ctc`,
      provider: 'cpu',
      threads: 1,
      maxBatch: 4,
      maxWaitMs: 10,
    }),
    opts.tts === false
      ? undefined
      : TtsClient.start({
          models: [arditDir, maskgctDir],
          provider: 'cpu',
          threads: 1,
          concurrency: 4,
          queue: 8,
          ...opts.tts,
        }),
  ]);
  const app = await buildApp({
    engine,
    tts,
    limits: { ...testLimits, ...opts.limits },
    auth: { apiKeys: opts.apiKeys ?? [] },
    corsOrigins: opts.corsOrigins ?? [],
    drainTimeoutMs: opts.drainTimeoutMs,
  });
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.fastify.server.address() as AddressInfo;
  return { app, http: `http://127.0.0.1:${port}`, tts, close: () => app.shutdown() };
}

export function speak(
  base: string,
  body: unknown,
  init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${base}/v1/audio/speech`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** The body's pieces as they arrive, with when each arrived. */
export async function readChunks(res: Response): Promise<{ chunks: Uint8Array[]; at: number[] }> {
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  const at: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    at.push(performance.now());
  }
  return { chunks, at };
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** ffprobe's view of encoded audio (stdin), or undefined when ffprobe is not installed. */
export function ffprobe(
  bytes: Uint8Array,
): { ok: boolean; codec?: string; sampleRate?: number; channels?: number; stderr: string } | undefined {
  const run = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', '-i', 'pipe:0'],
    { input: bytes, encoding: 'buffer' },
  );
  if (run.error !== undefined) return undefined;
  const stderr = run.stderr.toString();
  if (run.status !== 0) return { ok: false, stderr };
  const info = JSON.parse(run.stdout.toString()) as {
    streams?: { codec_name?: string; sample_rate?: string; channels?: number }[];
  };
  const s = info.streams?.[0];
  return {
    ok: s !== undefined,
    codec: s?.codec_name,
    sampleRate: Number(s?.sample_rate),
    channels: s?.channels,
    stderr,
  };
}

/** Decodes encoded audio with ffmpeg to s16le samples; undefined when ffmpeg is not installed. */
export function ffmpegDecode(
  bytes: Uint8Array,
): { ok: boolean; samples: number; stderr: string } | undefined {
  const run = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-xerror', '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', '16000', 'pipe:1'],
    { input: bytes, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.error !== undefined) return undefined;
  return { ok: run.status === 0, samples: run.stdout.length / 2, stderr: run.stderr.toString() };
}

/** Polls `predicate` until it holds (or fails the test after `timeoutMs`). */
export async function until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

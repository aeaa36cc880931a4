// The speech route under pressure and failure: a client that goes away cancels its
// synthesis (the worker reports it), a full queue answers 503 with Retry-After, a synthesis
// or an ffmpeg that fails is a coded error (an HTTP error before the first byte, a cut
// response or an SSE error event after it) and the server goes on, TTS off and API keys,
// and shutdown cuts what is still speaking.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechReport } from '../../../server/tts/speech-stream.js';
import {
  type ErrorBody,
  LONG_TEXT,
  MEDIUM_TEXT,
  readChunks,
  type SpeechHarness,
  speak,
  startSpeechServer,
  until,
} from './speech-harness.js';

const TEXT = 'Hello there. This is a test.';
/** idleTimeoutMs: how long a response may wait for its client to read. */
const STALL_MS = 2000;

let server: SpeechHarness;
const reports: SpeechReport[] = [];
let tmp: string;

beforeAll(async () => {
  server = await startSpeechServer({
    tts: { concurrency: 1, queue: 1, faults: { textContains: 'BREAK', afterChunks: 2 } },
    drainTimeoutMs: 300,
    limits: { idleTimeoutMs: STALL_MS },
  });
  server.tts!.onEnded((r) => reports.push(r));
  tmp = await mkdtemp(join(tmpdir(), 'speech-limits-'));
});
afterAll(async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Starts a long synthesis and returns once its first audio has arrived. */
async function startLong(format = 'pcm') {
  const abort = new AbortController();
  const res = await speak(
    server.http,
    { input: LONG_TEXT, response_format: format },
    { signal: abort.signal },
  );
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read();
  return { abort, reader };
}

/** ffmpeg processes this (server) process has running. */
function ffmpegChildren(): number {
  const ps = spawnSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((c) => c.trim() === 'ffmpeg').length;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('cancellation and admission', () => {
  it('a client that goes away cancels its synthesis; the worker reports it and frees the slot', async () => {
    const before = reports.length;
    const { abort } = await startLong();
    abort.abort();
    await until(() => reports.length > before);
    const report = reports[before]!;
    expect(report.outcome).toBe('cancelled');
    // A full synthesis of LONG_TEXT is hundreds of chunks; it stopped within a few.
    expect(report.chunks).toBeLessThan(40);
    await until(() => server.tts!.active === 0);
    expect(await metric('speechstream_tts_requests_total{outcome="cancelled"}')).toBeGreaterThanOrEqual(1);
  });

  it('the same with ffmpeg in the path: ffmpeg is stopped, the synthesis cancelled', async () => {
    const before = reports.length;
    const { abort } = await startLong('mp3');
    expect(ffmpegChildren()).toBe(1);
    abort.abort();
    await until(() => reports.length > before);
    expect(reports[before]!.outcome).toBe('cancelled');
    await until(() => server.tts!.active === 0);
    await until(() => ffmpegChildren() === 0);
  });

  it('a full queue answers 503 with Retry-After and a coded error; a waiter that leaves frees its place', async () => {
    const first = await startLong();
    const queuedAbort = new AbortController();
    const queued = speak(
      server.http,
      { input: TEXT, response_format: 'pcm' },
      { signal: queuedAbort.signal },
    ).catch((e: unknown) => e);
    await until(() => server.tts!.waiting === 1);
    const refused = await speak(server.http, { input: TEXT, response_format: 'pcm' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as ErrorBody).error.code).toBe('LIMIT_TOO_MANY_CONNECTIONS');
    queuedAbort.abort();
    await queued;
    await until(() => server.tts!.waiting === 0);
    first.abort.abort();
    await until(() => server.tts!.active === 0);
    expect(await metric('speechstream_tts_requests_total{outcome="busy"}')).toBeGreaterThanOrEqual(1);
    // The slot is free again.
    const after = await speak(server.http, { input: TEXT, response_format: 'pcm' });
    expect(after.status).toBe(200);
    await after.arrayBuffer();
  });

  it('a client that stops reading is cut after idleTimeoutMs, which frees its slot', async () => {
    const before = reports.length;
    const started = performance.now();
    // A raw socket that never reads: the response waits once the socket buffers are full
    // (megabytes on loopback). The MaskGCT fixture at the slowest speed fills them soonest.
    const socket = connect(Number(new URL(server.http).port), '127.0.0.1');
    const body = JSON.stringify({ input: LONG_TEXT, voice: 'probe', speed: 0.25, response_format: 'pcm' });
    socket.write(
      `POST /v1/audio/speech HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    socket.pause();
    try {
      await until(() => reports.length > before, 60_000);
      expect(reports[before]!.outcome).toBe('cancelled');
      expect(performance.now() - started).toBeGreaterThan(STALL_MS);
      await until(() => server.tts!.active === 0);
      expect(await metric('speechstream_errors_total{code="LIMIT_SLOW_CONSUMER"}')).toBe(1);
    } finally {
      socket.destroy();
    }
  });
});

describe('failures', () => {
  it('a synthesis that throws after the first audio cuts the response; the next request is served', async () => {
    const res = await speak(server.http, { input: `BREAK ${MEDIUM_TEXT}`, response_format: 'pcm' });
    expect(res.status).toBe(200);
    await expect(readChunks(res)).rejects.toThrow();
    const report = reports.at(-1)!;
    expect(report.outcome).toBe('failed');
    const ok = await speak(server.http, { input: TEXT, response_format: 'pcm' });
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(await metric('speechstream_tts_requests_total{outcome="failed"}')).toBeGreaterThanOrEqual(1);
  });

  it('with SSE the failure is the last event, a coded error', async () => {
    const res = await speak(server.http, {
      input: `BREAK ${MEDIUM_TEXT}`,
      response_format: 'pcm',
      stream_format: 'sse',
    });
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map((b) => JSON.parse(b.slice('data: '.length)) as { type: string; error?: { code: string } });
    expect(events.slice(0, -1).every((e) => e.type === 'speech.audio.delta')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'MODEL_RUN_FAILED' } });
  });

  /** Runs `fn` with FFMPEG_PATH pointing at `path`. */
  async function withFfmpeg(path: string, fn: () => Promise<void>): Promise<void> {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = path;
    try {
      await fn();
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  }

  async function script(name: string, body: string): Promise<string> {
    const path = join(tmp, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('no ffmpeg: mp3 is a coded 500 before any synthesis; pcm still works', async () => {
    await withFfmpeg(join(tmp, 'no-such-ffmpeg'), async () => {
      const before = reports.length;
      const res = await speak(server.http, { input: TEXT, response_format: 'mp3' });
      expect(res.status).toBe(500);
      expect(((await res.json()) as ErrorBody).error.code).toBe('AUDIO_FFMPEG_MISSING');
      expect(reports.length).toBe(before);
      const pcm = await speak(server.http, { input: TEXT, response_format: 'pcm' });
      expect(pcm.status).toBe(200);
      await pcm.arrayBuffer();
    });
  });

  it('ffmpeg failing before its first byte is a coded HTTP error; the synthesis is cancelled', async () => {
    const path = await script('ffmpeg-fails', 'echo "Unknown encoder libmp3lame" >&2; exit 1');
    await withFfmpeg(path, async () => {
      const res = await speak(server.http, { input: MEDIUM_TEXT, response_format: 'mp3' });
      expect(res.status).toBe(500);
      const json = (await res.json()) as ErrorBody;
      expect(json.error.code).toBe('AUDIO_ENCODE_FAILED');
      expect(json.error.message).toContain('Unknown encoder libmp3lame');
      await until(() => server.tts!.active === 0);
    });
  });

  it('ffmpeg crashing after its first byte cuts the response; the server goes on', async () => {
    const path = await script('ffmpeg-crashes', "printf 'ID3partial'; sleep 0.3; echo crashed >&2; exit 3");
    await withFfmpeg(path, async () => {
      const res = await speak(server.http, { input: MEDIUM_TEXT, response_format: 'mp3' });
      expect(res.status).toBe(200);
      await expect(readChunks(res)).rejects.toThrow();
      await until(() => server.tts!.active === 0);
    });
    const ok = await speak(server.http, { input: TEXT, response_format: 'mp3' });
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });
});

describe('TTS off, API keys', () => {
  let off: SpeechHarness;
  beforeAll(async () => {
    off = await startSpeechServer({ tts: false, apiKeys: ['k3y'] });
  });
  afterAll(async () => {
    await off?.close();
  });
  const auth = { authorization: 'Bearer k3y' };

  it('every TTS route needs the key', async () => {
    const res = await speak(off.http, { input: TEXT });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorBody).error.code).toBe('AUTH_UNAUTHORIZED');
    expect((await fetch(`${off.http}/v1/audio/voices`)).status).toBe(401);
  });

  it('with no speech model, speech is MODEL_NOT_FOUND and the lists are empty', async () => {
    const res = await speak(off.http, { input: TEXT }, { headers: auth });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('MODEL_NOT_FOUND');
    const voices = (await (await fetch(`${off.http}/v1/audio/voices`, { headers: auth })).json()) as {
      voices: unknown[];
    };
    expect(voices.voices).toEqual([]);
    const models = (await (await fetch(`${off.http}/v1/models`, { headers: auth })).json()) as {
      data: { task: string }[];
    };
    expect(models.data.map((m) => m.task)).toEqual(['asr']);
  });
});

describe('shutdown', () => {
  it('cuts a response still speaking after the drain time, cancels it, and refuses new speech', async () => {
    const before = reports.length;
    const { reader } = await startLong();
    const stopping = server.app.shutdown();
    const refused = await speak(server.http, { input: TEXT, response_format: 'pcm' }).catch(() => undefined);
    if (refused !== undefined) {
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as ErrorBody).error.code).toBe('SERVER_SHUTTING_DOWN');
    }
    await stopping;
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    ).rejects.toThrow();
    expect(reports.slice(before).map((r) => r.outcome)).toContain('cancelled');
  });
});

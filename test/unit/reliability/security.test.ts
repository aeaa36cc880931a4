// Security properties end to end: API keys never reach a response, a log line or the
// printed config; the key comparison accepts exactly the configured keys; session length
// is enforced; model names are never paths; CORS is explicit (no headers unless origins
// are configured, preflights answered before the key check).
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { keyMatches } from '../../../server/auth.js';
import { main } from '../../../server/cli.js';
import { loadConfig, printableConfig } from '../../../server/config.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import { clip16k, haveData, zooDir } from '../asr/helpers/clips.js';
import { testIo } from '../cli/helpers.js';
import {
  connect,
  type Harness,
  startServer,
  testLimits,
  toLinear16,
} from '../server/helpers/server-harness.js';
import { refusal, waitForNoSessions } from './helpers.js';

const KEY = 'sk-live-Zq8v1Lw0-real-key';
const WRONG = 'sk-guess-Yt5m2Kp9-wrong-key';

describe('API key comparison', () => {
  it('accepts exactly the configured keys: no prefix, suffix, case change or empty key', () => {
    const keys = [KEY, 'second-key'];
    expect(keyMatches(KEY, keys)).toBe(true);
    expect(keyMatches('second-key', keys)).toBe(true);
    for (const candidate of [
      '',
      KEY.slice(0, -1),
      `${KEY}x`,
      KEY.toUpperCase(),
      ` ${KEY}`,
      WRONG,
      'second-ke',
    ]) {
      expect(keyMatches(candidate, keys), JSON.stringify(candidate)).toBe(false);
    }
    expect(keyMatches(KEY, [])).toBe(false);
  });
});

describe('printed configuration', () => {
  it('printableConfig and `speechstream config` show the number of keys, never the keys', async () => {
    const config = loadConfig({}, { SPEECHSTREAM_API_KEYS: `${KEY},${WRONG}` });
    expect(config.apiKeys).toEqual([KEY, WRONG]);
    const shown = JSON.stringify(printableConfig(config));
    expect(shown).toContain('2 key(s)');
    expect(shown).not.toContain(KEY);
    expect(JSON.stringify(printableConfig(loadConfig({}, {})))).toContain('"apiKeys":"none"');

    const saved = process.env.SPEECHSTREAM_API_KEYS;
    process.env.SPEECHSTREAM_API_KEYS = KEY;
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['node', 'speechstream', 'config'], testIo())).toBe(0);
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.SPEECHSTREAM_API_KEYS;
      else process.env.SPEECHSTREAM_API_KEYS = saved;
    }
    const out = written.join('');
    expect(out).toContain('"apiKeys": "1 key(s)"');
    expect(out).not.toContain(KEY);
  });
});

describe.runIf(haveData())('keys in responses and logs', () => {
  const lines: string[] = [];
  let server: Harness;

  beforeAll(async () => {
    // The real server with a logger at its most verbose, captured.
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    const engine = await EngineClient.start({
      model: `${zooDir}/nemo-streaming-hybrid`,
      provider: 'cpu',
      threads: 1,
      maxBatch: 8,
      maxWaitMs: 10,
    });
    const app = await buildApp({
      engine,
      limits: testLimits,
      auth: { apiKeys: [KEY] },
      corsOrigins: [],
      logger,
    });
    const address = await app.fastify.listen({ host: '127.0.0.1', port: 0 });
    server = { app, http: address, url: address.replace(/^http/, 'ws'), close: () => app.shutdown() };
  });
  afterAll(async () => {
    await server?.close();
  });

  it('an auth failure names no key, in its answer or in the server log', async () => {
    const answers: string[] = [];
    for (const headers of [{ authorization: `Bearer ${WRONG}` }, { authorization: `Token ${WRONG}` }, {}]) {
      const res = await fetch(`${server.http}/v1/models`, { headers });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe('AUTH_UNAUTHORIZED');
      answers.push(text, JSON.stringify([...res.headers]));
    }
    for (const [url, protocols] of [
      [`${server.url}/v1/listen?token=${WRONG}`, undefined],
      [`${server.url}/v1/listen`, ['token', WRONG]],
      [`${server.url}/v1/realtime?intent=transcription&token=${WRONG}`, undefined],
    ] as const) {
      const r = await refusal(url, protocols ? [...protocols] : undefined);
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe('AUTH_UNAUTHORIZED');
      answers.push(JSON.stringify(r));
    }
    // A session with the right key that ends in an error, and a server-side failure: both log.
    const c = connect(`${server.url}/v1/listen?token=${KEY}`);
    await c.opened;
    await c.waitFor((m) => m.type === 'Metadata');
    c.socket.send(Buffer.alloc(3));
    expect(await c.closed).toBe(1007);
    answers.push(JSON.stringify(c.messages));
    await waitForNoSessions(server);
    const form = new FormData();
    form.append(
      'file',
      new Blob([toLinear16((await clip16k('clips/jfk.wav')).subarray(0, 1600))]),
      'raw.pcm',
    );
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    try {
      const res = await fetch(`${server.http}/v1/audio/transcriptions?token=${KEY}`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(res.status).toBe(500);
      answers.push(await res.text());
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
    const log = lines.join('');
    // The log did record these events, so its silence about keys means something.
    expect(log).toContain('live session ended by error');
    expect(log).toContain('AUDIO_FFMPEG_MISSING');
    for (const text of [...answers, log]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(WRONG);
    }
  });
});

describe.runIf(haveData())('limits and names', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({ maxSessionSeconds: 2 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a live session longer than maxSessionSeconds ends with LIMIT_SESSION_TOO_LONG (1008)', async () => {
    const c = connect(`${server.url}/v1/listen?interim_results=true`);
    await c.opened;
    const bytes = toLinear16((await clip16k('clips/jfk.wav')).subarray(0, 3 * 16000));
    for (let at = 0; at < bytes.length && c.socket.readyState === c.socket.OPEN; at += 3200) {
      c.socket.send(bytes.subarray(at, at + 3200));
    }
    expect(await c.closed).toBe(1008);
    expect(c.messages.at(-1)).toMatchObject({ type: 'Error', code: 'LIMIT_SESSION_TOO_LONG' });
    await waitForNoSessions(server);
  });

  it('model names that are paths are refused with NOT_FOUND (uploads, Realtime) and never read', async () => {
    for (const model of [
      '../../../../etc/passwd',
      '/etc/passwd',
      '..\\..\\secrets',
      'nemo-streaming-hybrid/../x',
      '%2e%2e%2fx',
    ]) {
      const body = new FormData();
      body.append('model', model);
      body.append('file', new Blob([new Uint8Array(64)]), 'a.wav');
      const res = await fetch(`${server.http}/v1/audio/transcriptions`, { method: 'POST', body });
      expect(res.status, model).toBe(404);
      expect((await res.json()).error.code).toBe('NOT_FOUND');
    }
    const c = connect(`${server.url}/v1/realtime?intent=transcription`);
    await c.opened;
    c.socket.send(
      JSON.stringify({
        type: 'session.update',
        event_id: 'traversal',
        session: {
          type: 'transcription',
          audio: { input: { transcription: { model: '../nemo-streaming-hybrid' } } },
        },
      }),
    );
    const err = await c.waitFor((m) => m.type === 'error');
    expect(err.error).toMatchObject({ code: 'NOT_FOUND', event_id: 'traversal' });
    c.socket.close();
    await c.closed;
    // /v1/listen takes `model` as Deepgram does but serves the loaded model: a path is inert.
    const l = connect(`${server.url}/v1/listen?model=../../../../etc/passwd`);
    await l.opened;
    const meta = await l.waitFor((m) => m.type === 'Metadata');
    expect(meta.model_info).toMatchObject({ name: 'nemo-streaming-hybrid' });
    l.socket.close();
    await l.closed;
    await waitForNoSessions(server);
  });
});

describe('CORS', () => {
  // CORS is decided before any route runs: a stub engine is enough.
  const engine = {
    onBatch: undefined,
    engine: { primary: { id: 'm' } },
    stop: async () => {},
  } as unknown as EngineClient;
  const preflight = {
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization',
  };

  it('sends no CORS headers at all when no origin is configured', async () => {
    const app = await buildApp({ engine, limits: testLimits, auth: { apiKeys: [] }, corsOrigins: [] });
    try {
      const pre = await app.fastify.inject({
        method: 'OPTIONS',
        url: '/v1/audio/transcriptions',
        headers: { origin: 'https://app.example', ...preflight },
      });
      expect(pre.statusCode).toBe(404);
      const get = await app.fastify.inject({
        method: 'GET',
        url: '/v1/models',
        headers: { origin: 'https://app.example' },
      });
      for (const res of [pre, get]) {
        expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      }
    } finally {
      await app.fastify.close();
    }
  });

  it('allows exactly the configured origins; preflights pass before the key check; refusals carry CORS headers', async () => {
    const app = await buildApp({
      engine,
      limits: testLimits,
      auth: { apiKeys: [KEY] },
      corsOrigins: ['https://app.example'],
    });
    try {
      const allowed = await app.fastify.inject({
        method: 'OPTIONS',
        url: '/v1/audio/transcriptions',
        headers: { origin: 'https://app.example', ...preflight },
      });
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
      const other = await app.fastify.inject({
        method: 'OPTIONS',
        url: '/v1/audio/transcriptions',
        headers: { origin: 'https://evil.example', ...preflight },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      // Without the key the answer is still 401, but one the page is allowed to read.
      const noKey = await app.fastify.inject({
        method: 'GET',
        url: '/v1/models',
        headers: { origin: 'https://app.example' },
      });
      expect(noKey.statusCode).toBe(401);
      expect(noKey.headers['access-control-allow-origin']).toBe('https://app.example');
      const evil = await app.fastify.inject({
        method: 'GET',
        url: '/v1/models',
        headers: { origin: 'https://evil.example' },
      });
      expect(evil.statusCode).toBe(401);
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.fastify.close();
    }
  });
});

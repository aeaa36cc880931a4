// GET /v1/listen end to end on port 0: the Deepgram-shaped exchange, and every limit
// answered with a coded Error before the close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { runSession } from '../../../asr/session/run-session.js';
import { LinearResampler } from '../../../streaming/audio/resampler.js';
import { clip16k, haveData, zooDir } from '../asr/helpers/clips.js';
import { connect, type Harness, startServer, toLinear16 } from './helpers/server-harness.js';

/** What an in-process session yields for the same audio (the server must agree). */
async function expectedFinals(samples: Float32Array): Promise<string[]> {
  const recognizer = await loadNemoStreamingRecognizer(`${zooDir}/nemo-streaming-hybrid`);
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

describe.runIf(haveData())('GET /v1/listen', () => {
  let server: Harness;

  beforeAll(async () => {
    server = await startServer({ maxConnections: 3, idleTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams results for linear16 audio and closes cleanly after CloseStream', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const expected = await expectedFinals(samples);
    const c = connect(
      `${server.url}/v1/listen?encoding=linear16&sample_rate=16000&interim_results=true&decoder=ctc&vad_events=true`,
    );
    await c.opened;
    const bytes = toLinear16(samples);
    for (let at = 0; at < bytes.length; at += 3200) c.socket.send(bytes.subarray(at, at + 3200));
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);

    const first = c.messages[0]!;
    expect(first).toMatchObject({
      type: 'Metadata',
      encoding: 'linear16',
      sample_rate: 16000,
      provider: 'cpu',
    });
    expect(first.model_info).toMatchObject({ name: 'nemo-streaming-hybrid' });
    expect(c.messages.at(-1)).toMatchObject({ type: 'Metadata' });
    const results = c.messages.filter((m) => m.type === 'Results') as unknown as {
      is_final: boolean;
      start: number;
      duration: number;
      channel: { alternatives: { transcript: string; words: { start: number; end: number }[] }[] };
    }[];
    expect(results.some((r) => !r.is_final)).toBe(true);
    const finals = results.filter((r) => r.is_final).map((r) => r.channel.alternatives[0]!.transcript);
    // linear16 quantisation changes the audio slightly; the tiny random model is sensitive,
    // so compare with an in-process run on the same quantised samples.
    const quantised = Float32Array.from(
      new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2),
      (v) => v / 32768,
    );
    expect(finals).toEqual(await expectedFinals(quantised));
    expect(expected.length).toBeGreaterThan(0);
    expect(c.messages.some((m) => m.type === 'SpeechStarted')).toBe(true);
    for (const r of results) {
      for (const w of r.channel.alternatives[0]!.words) expect(w.end).toBeGreaterThanOrEqual(w.start);
    }

    // One stream alone: after its first step (zero caches) and each segment start, every
    // step is fed the caches its last step returned.
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    const rows = (source: string) =>
      Number(
        metrics.match(
          new RegExp(`speechstream_encoder_cache_rows_total\\{source="${source}"\\} (\\S+)`),
        )?.[1],
      );
    expect(rows('zero')).toBeGreaterThanOrEqual(1);
    expect(rows('fed_back')).toBeGreaterThan(10 * rows('zero'));
  });

  it('closes promptly after CloseStream even when the last segment had no speech', async () => {
    const c = connect(`${server.url}/v1/listen`);
    await c.opened;
    await c.waitFor((m) => m.type === 'Metadata');
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);
    expect(c.messages.filter((m) => m.type === 'Error')).toEqual([]);
    expect(c.messages.at(-1)).toMatchObject({ type: 'Metadata', duration: 0 });
  });

  it('resamples any sample rate and down-mixes channels', async () => {
    const samples = (await clip16k('fsdd/recordings/0_theo_0.wav')).slice();
    const at44 = new LinearResampler(16000, 44100);
    const upsampled = at44.resample(samples, true);
    const stereo = new Float32Array(upsampled.length * 2);
    for (let i = 0; i < upsampled.length; i++) {
      stereo[2 * i] = upsampled[i]!;
      stereo[2 * i + 1] = upsampled[i]!;
    }
    const c = connect(`${server.url}/v1/listen?encoding=linear32&sample_rate=44100&channels=2`);
    await c.opened;
    const bytes = Buffer.from(stereo.buffer);
    for (let at = 0; at < bytes.length; at += 8 * 4410) c.socket.send(bytes.subarray(at, at + 8 * 4410));
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);
    expect(c.messages[0]).toMatchObject({
      type: 'Metadata',
      sample_rate: 44100,
      channels: 2,
      model_sample_rate: 16000,
    });
    expect(c.messages.filter((m) => m.type === 'Results').length).toBeGreaterThan(0);
  });

  it('Finalize returns a final with from_finalize and keeps the session open', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const c = connect(`${server.url}/v1/listen?decoder=ctc`);
    await c.opened;
    const sendAll = (bytes: Buffer) => {
      for (let at = 0; at < bytes.length; at += 3200) c.socket.send(bytes.subarray(at, at + 3200));
    };
    sendAll(toLinear16(samples.subarray(0, 4 * 16000)));
    c.socket.send(JSON.stringify({ type: 'Finalize' }));
    const finalized = await c.waitFor((m) => m.type === 'Results' && m.from_finalize === true);
    expect(finalized.is_final).toBe(true);
    sendAll(toLinear16(samples.subarray(4 * 16000)));
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);
  });

  it('answers bad control messages with a coded Error and carries on', async () => {
    const c = connect(`${server.url}/v1/listen`);
    await c.opened;
    c.socket.send('{not json');
    c.socket.send(JSON.stringify({ type: 'Dance' }));
    c.socket.send(JSON.stringify({ type: 'KeepAlive' }));
    await c.waitFor((m) => m.type === 'Error' && String(m.message).includes('type'));
    const errors = c.messages.filter((m) => m.type === 'Error');
    expect(errors.map((e) => e.code)).toEqual(['PROTOCOL_BAD_MESSAGE', 'PROTOCOL_BAD_MESSAGE']);
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);
  });

  it.each([
    ['a misaligned frame', Buffer.alloc(3), 'AUDIO_BAD_FORMAT', 1007],
    ['an oversized frame', Buffer.alloc(64 * 1024 + 2), 'LIMIT_FRAME_TOO_LARGE', 1009],
  ])('refuses %s with a coded Error then closes', async (_name, frame, code, closeCode) => {
    const c = connect(`${server.url}/v1/listen`);
    await c.opened;
    await c.waitFor((m) => m.type === 'Metadata');
    c.socket.send(frame);
    expect(await c.closed).toBe(closeCode);
    expect(c.messages.at(-1)).toMatchObject({ type: 'Error', code });
  });

  it('closes an idle session with LIMIT_IDLE_TIMEOUT', async () => {
    const c = connect(`${server.url}/v1/listen`);
    await c.opened;
    expect(await c.closed).toBe(1008);
    expect(c.messages.at(-1)).toMatchObject({ type: 'Error', code: 'LIMIT_IDLE_TIMEOUT' });
  });

  it('rejects invalid parameters at the handshake with a coded 400', async () => {
    const c = connect(`${server.url}/v1/listen?encoding=mp3&sample_rate=-5`);
    const err = (await c.opened.catch((e) => e)) as { res?: { statusCode: number } };
    expect(err.res?.statusCode).toBe(400);
  });

  it('answers 503 with Retry-After beyond the connection limit', async () => {
    const open = [
      connect(`${server.url}/v1/listen`),
      connect(`${server.url}/v1/listen`),
      connect(`${server.url}/v1/listen`),
    ];
    await Promise.all(open.map((c) => c.opened));
    const extra = connect(`${server.url}/v1/listen`);
    const err = (await extra.opened.catch((e) => e)) as {
      res?: { statusCode: number; headers: Record<string, string> };
    };
    expect(err.res?.statusCode).toBe(503);
    expect(err.res?.headers['retry-after']).toBe('5');
    for (const c of open) c.socket.close();
    await Promise.all(open.map((c) => c.closed));
  });
});

describe.runIf(haveData())('API keys', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({}, { apiKeys: ['s3cret-key'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('accepts the key as a header, a query token or a subprotocol, and refuses without it', async () => {
    const none = connect(`${server.url}/v1/listen`);
    expect(((await none.opened.catch((e) => e)) as { res?: { statusCode: number } }).res?.statusCode).toBe(
      401,
    );
    const wrong = connect(`${server.url}/v1/listen?token=nope`);
    expect(((await wrong.opened.catch((e) => e)) as { res?: { statusCode: number } }).res?.statusCode).toBe(
      401,
    );
    for (const c of [
      connect(`${server.url}/v1/listen?token=s3cret-key`),
      connect(`${server.url}/v1/listen`, ['token', 's3cret-key']),
    ]) {
      await c.opened;
      c.socket.close();
      await c.closed;
    }
    const res = await fetch(`${server.http}/v1/models`, { headers: { authorization: 'Bearer s3cret-key' } });
    expect(res.status).toBe(200);
  });
});

// Hostile and broken live clients against the real server on port 0: bad sample rates,
// NaN/Inf float audio, frames beyond the WebSocket payload cap, clients that vanish without
// a close frame or stop reading, connection floods and control-message floods. Each gets a
// coded error (or backpressure), its session is freed, and other sessions carry on. Only
// functional outcomes are asserted here; the latency a neighbour sees is measured by
// test/bench/isolation.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clip16k, haveData } from '../asr/helpers/clips.js';
import {
  connect,
  type Harness,
  startServer,
  toLinear16,
  type WsMessage,
} from '../server/helpers/server-harness.js';
import { expectHealthy, refusal, sleep, waitForNoSessions, waitUntil } from './helpers.js';

const MAX_CONNECTIONS = 4;
const SEND_BUFFER = 256 * 1024;

/** Streams `seconds` of the clip in 100 ms frames, `speedup` times faster than real time. */
async function streamSpeech(
  c: ReturnType<typeof connect>,
  samples: Float32Array,
  speedup = 10,
): Promise<void> {
  const bytes = toLinear16(samples);
  for (let at = 0; at < bytes.length; at += 3200) {
    if (c.socket.readyState !== WebSocket.OPEN) return;
    c.socket.send(bytes.subarray(at, at + 3200));
    await sleep(100 / speedup);
  }
}

const finals = (messages: WsMessage[]) =>
  messages.filter((m) => m.type === 'Results' && m.is_final === true) as unknown as {
    channel: { alternatives: { transcript: string }[] };
  }[];

const transcript = (messages: WsMessage[]) =>
  finals(messages)
    .map((m) => m.channel.alternatives[0]!.transcript)
    .join(' ')
    .trim();

describe.runIf(haveData())('hostile live clients', () => {
  let server: Harness;
  let speech: Float32Array;

  beforeAll(async () => {
    server = await startServer({
      maxConnections: MAX_CONNECTIONS,
      maxSendBufferBytes: SEND_BUFFER,
      idleTimeoutMs: 5000,
    });
    speech = (await clip16k('clips/jfk.wav')).subarray(0, 4 * 16000);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['0', 'PROTOCOL_BAD_PARAMS'],
    ['-16000', 'PROTOCOL_BAD_PARAMS'],
    ['384001', 'PROTOCOL_BAD_PARAMS'],
    ['1e9', 'PROTOCOL_BAD_PARAMS'],
    ['16000.5', 'PROTOCOL_BAD_PARAMS'],
    ['abc', 'PROTOCOL_BAD_PARAMS'],
    ['Infinity', 'PROTOCOL_BAD_PARAMS'],
    // Valid integers whose resampling filter would be millions of taps.
    ['383999', 'AUDIO_BAD_SAMPLE_RATE'],
    ['96001', 'AUDIO_BAD_SAMPLE_RATE'],
  ])('sample_rate=%s is refused at the handshake with a coded 400 (%s)', async (rate, code) => {
    const r = await refusal(`${server.url}/v1/listen?encoding=linear16&sample_rate=${rate}`);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe(code);
    expect(server.app.context.connections.size).toBe(0);
  });

  it('a Realtime format update to an unusable rate is refused; the session keeps its format and carries on', async () => {
    const c = connect(`${server.url}/v1/realtime?intent=transcription&decoder=ctc`);
    await c.opened;
    const update = (rate: number, eventId: string) =>
      c.socket.send(
        JSON.stringify({
          type: 'session.update',
          event_id: eventId,
          session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate } } } },
        }),
      );
    update(191_999, 'bad');
    update(16000, 'good');
    const updated = await c.waitFor((m) => m.type === 'session.updated');
    const errors = c.messages
      .filter((m) => m.type === 'error')
      .map((m) => m.error as Record<string, unknown>);
    expect(errors.map((e) => [e.code, e.param, e.event_id])).toEqual([
      ['AUDIO_BAD_SAMPLE_RATE', 'session.audio.input.format', 'bad'],
    ]);
    expect((updated.session as { audio: { input: { format: unknown } } }).audio.input.format).toEqual({
      type: 'audio/pcm',
      rate: 16000,
    });
    // Audio in the accepted format is transcribed.
    const pcm = toLinear16(speech);
    for (let at = 0; at < pcm.length; at += 6400) {
      c.socket.send(
        JSON.stringify({
          type: 'input_audio_buffer.append',
          audio: pcm.subarray(at, at + 6400).toString('base64'),
        }),
      );
    }
    c.socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    const done = await c.waitFor((m) => m.type === 'conversation.item.input_audio_transcription.completed');
    expect(String(done.transcript).length).toBeGreaterThan(0);
    c.socket.close();
    await c.closed;
    await waitForNoSessions(server);
  });

  it('linear32 full of NaN and infinities is cleaned: the session ends normally with finite numbers', async () => {
    const c = connect(`${server.url}/v1/listen?encoding=linear32&sample_rate=16000&interim_results=true`);
    await c.opened;
    const floats = new Float32Array(speech);
    for (let i = 0; i < floats.length; i += 7) floats[i] = Number.NaN;
    for (let i = 3; i < floats.length; i += 101) floats[i] = i % 2 === 0 ? Infinity : -Infinity;
    const bytes = new Uint8Array(floats.buffer);
    for (let at = 0; at < bytes.length; at += 6400) c.socket.send(bytes.subarray(at, at + 6400));
    c.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await c.closed).toBe(1000);
    expect(c.messages.filter((m) => m.type === 'Error')).toEqual([]);
    const results = c.messages.filter((m) => m.type === 'Results') as unknown as {
      start: number;
      duration: number;
      channel: { alternatives: { confidence: number; words: { start: number; end: number }[] }[] };
    }[];
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      // JSON turns NaN and infinities into null: every number must have survived.
      const alt = r.channel.alternatives[0]!;
      for (const x of [r.start, r.duration, alt.confidence, ...alt.words.flatMap((w) => [w.start, w.end])]) {
        expect(typeof x).toBe('number');
        expect(Number.isFinite(x)).toBe(true);
      }
    }
  });

  it('a misaligned linear32 frame ends the session with AUDIO_BAD_FORMAT (1007) and frees it', async () => {
    const c = connect(`${server.url}/v1/listen?encoding=linear32&channels=2`);
    await c.opened;
    await c.waitFor((m) => m.type === 'Metadata');
    c.socket.send(Buffer.alloc(12));
    expect(await c.closed).toBe(1007);
    expect(c.messages.at(-1)).toMatchObject({ type: 'Error', code: 'AUDIO_BAD_FORMAT' });
    await waitForNoSessions(server);
  });

  it('a frame beyond the WebSocket payload cap closes with 1009 and frees the session', async () => {
    const c = connect(`${server.url}/v1/listen`);
    await c.opened;
    await c.waitFor((m) => m.type === 'Metadata');
    // ws itself refuses anything over 2 x maxFrameBytes + 1 MiB before we see it.
    c.socket.send(Buffer.alloc(2 * 64 * 1024 + 1024 * 1024 + 2));
    expect(await c.closed).toBe(1009);
    await waitForNoSessions(server);
    await expectHealthy(server);
  });

  it('a client that vanishes mid-stream (TCP gone, no close frame) has its session freed', async () => {
    for (const when of ['mid-frame', 'between frames'] as const) {
      const c = connect(`${server.url}/v1/listen?interim_results=true`);
      await c.opened;
      await c.waitFor((m) => m.type === 'Metadata');
      const bytes = toLinear16(speech);
      for (let at = 0; at < bytes.length / 2; at += 3200) c.socket.send(bytes.subarray(at, at + 3200));
      await waitUntil(() => server.app.context.engine.sessionCount === 1);
      const raw = (c.socket as unknown as { _socket: import('node:net').Socket })._socket;
      // Half a WebSocket frame header (FIN + binary, then a 2-byte length that never comes).
      if (when === 'mid-frame') raw.write(Buffer.from([0x82, 0xfe]));
      raw.destroy();
      await waitForNoSessions(server);
    }
    await expectHealthy(server);
  });

  it('a client that stops reading is cut off by the send-buffer limit (1013) and its session freed at once', async () => {
    const c = connect(`${server.url}/v1/realtime?intent=transcription`);
    let reason = '';
    c.socket.on('close', (_code, r) => {
      reason = r.toString();
    });
    await c.opened;
    await c.waitFor((m) => m.type === 'session.created');
    const raw = (c.socket as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    // Each update is echoed whole (its 10 kB prompt included) in session.updated: the
    // answers pile up in the kernel buffers, then in the server's send buffer.
    const update = JSON.stringify({
      type: 'session.update',
      session: { type: 'transcription', audio: { input: { transcription: { prompt: 'x'.repeat(10_000) } } } },
    });
    for (let i = 0; i < 5000 && server.app.context.connections.size > 0; i++) {
      c.socket.send(update);
      if (i % 50 === 49) await sleep(20);
    }
    await waitForNoSessions(server);
    raw.resume();
    expect(await c.closed).toBe(1013);
    expect(reason).toBe('LIMIT_SLOW_CONSUMER');
    await expectHealthy(server);
  });

  it('a flood of connections beyond maxConnections gets 503 + Retry-After while an established session carries on', async () => {
    const victim = connect(`${server.url}/v1/listen?decoder=ctc`);
    await victim.opened;
    await victim.waitFor((m) => m.type === 'Metadata');
    const streaming = streamSpeech(victim, speech);
    const attempts = Array.from({ length: 24 }, () => {
      const c = connect(`${server.url}/v1/listen`);
      return c.opened.then(
        () => ({ c, status: 101 }),
        (err: { res?: { statusCode: number; headers: Record<string, string> } }) => ({
          c,
          status: err.res?.statusCode ?? 0,
          retryAfter: err.res?.headers['retry-after'],
        }),
      );
    });
    const outcomes = await Promise.all(attempts);
    const admitted = outcomes.filter((o) => o.status === 101);
    const refused = outcomes.filter((o) => o.status === 503);
    expect(admitted.length).toBe(MAX_CONNECTIONS - 1);
    expect(refused.length).toBe(outcomes.length - admitted.length);
    for (const r of refused) expect((r as { retryAfter?: string }).retryAfter).toBe('5');
    const body = await refusal(`${server.url}/v1/listen`);
    expect(body.body.error?.code).toBe('LIMIT_TOO_MANY_CONNECTIONS');
    for (const a of admitted) a.c.socket.close();
    await streaming;
    victim.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await victim.closed).toBe(1000);
    expect(victim.messages.filter((m) => m.type === 'Error')).toEqual([]);
    expect(transcript(victim.messages).length).toBeGreaterThan(0);
    await waitForNoSessions(server);
  });

  it('a control-message flood is answered message by message; the flooder and its neighbour both finish', async () => {
    const neighbour = connect(`${server.url}/v1/listen?decoder=ctc`);
    const flooder = connect(`${server.url}/v1/listen?decoder=ctc`);
    await Promise.all([neighbour.opened, flooder.opened]);
    await Promise.all([
      neighbour.waitFor((m) => m.type === 'Metadata'),
      flooder.waitFor((m) => m.type === 'Metadata'),
    ]);
    const streaming = streamSpeech(neighbour, speech, 2);
    // The neighbour stays active (not idle) for as long as the flood is being read.
    const keepAlive = setInterval(() => neighbour.socket.send(JSON.stringify({ type: 'KeepAlive' })), 1000);
    const junk = [
      '{not json',
      JSON.stringify({ type: 'Dance' }),
      JSON.stringify({ type: 'Configure', endpointing: -5 }),
      JSON.stringify([1, 2, 3]),
      'null',
    ];
    let sent = 0;
    for (let i = 0; i < 1500; i++) {
      flooder.socket.send(i % 3 === 0 ? JSON.stringify({ type: 'KeepAlive' }) : junk[i % junk.length]!);
      if (i % 3 !== 0) sent++;
      if (i % 250 === 249) await sleep(1);
    }
    // One oversized but well-formed JSON text frame too: refused unparsed.
    flooder.socket.send(JSON.stringify({ type: 'Configure', keyterm: new Array(200_000).fill('x') }));
    sent++;
    // The flood is read at the connection's message budget (TCP backpressure), so it takes a while.
    await flooder.waitFor(
      (m) => m.type === 'Error' && flooder.messages.filter((e) => e.type === 'Error').length >= sent,
      45_000,
    );
    const codes = flooder.messages.filter((m) => m.type === 'Error').map((m) => m.code);
    expect(new Set(codes.slice(0, -1))).toEqual(new Set(['PROTOCOL_BAD_MESSAGE']));
    expect(codes.at(-1)).toBe('LIMIT_FRAME_TOO_LARGE');
    // The flooder's session still works.
    flooder.socket.send(toLinear16(speech.subarray(0, 16000)));
    flooder.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await flooder.closed).toBe(1000);
    await streaming;
    clearInterval(keepAlive);
    neighbour.socket.send(JSON.stringify({ type: 'CloseStream' }));
    expect(await neighbour.closed).toBe(1000);
    expect(neighbour.messages.filter((m) => m.type === 'Error')).toEqual([]);
    expect(transcript(neighbour.messages).length).toBeGreaterThan(0);
    await waitForNoSessions(server);
  });
});

// GET /v1/realtime end to end on port 0: OpenAI Realtime transcription sessions (GA and
// beta shapes), checked against an in-process AsrSession fed the very same audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointOverrides } from '../../../asr/endpoint.js';
import { loadNemoStreamingRecognizer } from '../../../asr/nemo/load-nemo-streaming.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { pump } from '../../../asr/session/run-session.js';
import { encodeMulaw } from '../../../streaming/audio/g711.js';
import { LinearResampler } from '../../../streaming/audio/resampler.js';
import { type LiveAudioFormat, LiveAudioInput } from '../../../streaming/live-audio-input.js';
import { clip16k, haveData, zooDir } from '../asr/helpers/clips.js';
import { connect, type Harness, startServer, toLinear16, type WsMessage } from './helpers/server-harness.js';

/** Byte chunks of `bytes`, `size` bytes each (the last may be shorter). */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** 16 kHz float samples as pcm16 at 24 kHz, the Realtime API's default format. */
function pcm24k(samples16k: Float32Array): Buffer {
  return toLinear16(new LinearResampler(16000, 24000).resample(samples16k, true));
}

/** What the client sends: audio bytes, or a commit / clear of the buffer. */
type Step = Uint8Array | 'commit' | 'clear';

/**
 * The transcripts an in-process session gives for the same steps through the same
 * conversion: a commit or clear is a Finalize, and the final a clear causes is dropped.
 */
async function expectedFinals(
  steps: readonly Step[],
  format: LiveAudioFormat,
  endpoint?: EndpointOverrides,
): Promise<string[]> {
  const recognizer = await loadNemoStreamingRecognizer(`${zooDir}/nemo-streaming-hybrid`);
  try {
    const session = new AsrSession(recognizer, {
      stream: { decoder: 'ctc', endpoint },
      interimResults: false,
    });
    const input = new LiveAudioInput(format, 16000);
    const finals: string[] = [];
    for (const step of steps) {
      if (typeof step === 'string') {
        session.acceptAudio(input.flush());
        session.finalize();
      } else session.acceptAudio(input.push(step));
      await pump(recognizer, session, (e) => {
        if (e.type !== 'final' || (step === 'clear' && e.reason === 'finalize')) return;
        finals.push(e.result.text);
      });
    }
    session.close();
    return finals;
  } finally {
    await recognizer.close();
  }
}

function append(c: ReturnType<typeof connect>, bytes: Uint8Array, eventId?: string): void {
  c.socket.send(
    JSON.stringify({
      type: 'input_audio_buffer.append',
      audio: Buffer.from(bytes).toString('base64'),
      ...(eventId !== undefined && { event_id: eventId }),
    }),
  );
}

const ofType = (messages: WsMessage[], type: string) => messages.filter((m) => m.type === type);

/** Checks the per-item event order and the delta/transcript relation; returns the transcripts. */
function checkItems(messages: WsMessage[], vadEvents: boolean): string[] {
  const committed = ofType(messages, 'input_audio_buffer.committed');
  const completed = ofType(messages, 'conversation.item.input_audio_transcription.completed');
  expect(completed.map((m) => m.item_id)).toEqual(committed.map((m) => m.item_id));
  expect(new Set(committed.map((m) => m.item_id)).size).toBe(committed.length);
  // Items chain: each names the one committed before it.
  expect(committed.map((m) => m.previous_item_id)).toEqual([
    null,
    ...committed.slice(0, -1).map((m) => m.item_id),
  ]);
  for (const done of completed) {
    const id = done.item_id;
    const at = (type: string) => messages.findIndex((m) => m.type === type && m.item_id === id);
    const transcript = done.transcript as string;
    const deltas = messages
      .filter((m) => m.type === 'conversation.item.input_audio_transcription.delta' && m.item_id === id)
      .map((m) => m.delta as string)
      .join('');
    // Deltas only ever append, and the final extends them here (one pass, no revision).
    expect(transcript.startsWith(deltas)).toBe(true);
    expect(deltas).toBe(transcript);
    expect(at('input_audio_buffer.committed')).toBeLessThan(messages.indexOf(done));
    const started = at('input_audio_buffer.speech_started');
    const stopped = at('input_audio_buffer.speech_stopped');
    if (!vadEvents) {
      expect([started, stopped]).toEqual([-1, -1]);
      continue;
    }
    if (transcript === '') continue;
    expect(started).toBeGreaterThanOrEqual(0);
    expect(started).toBeLessThan(stopped);
    expect(stopped).toBeLessThan(at('input_audio_buffer.committed'));
    const s = messages[started]!;
    const e = messages[stopped]!;
    expect(e.audio_end_ms as number).toBeGreaterThanOrEqual(s.audio_start_ms as number);
  }
  return completed.map((m) => m.transcript as string);
}

describe.runIf(haveData())('GET /v1/realtime', () => {
  let server: Harness;

  beforeAll(async () => {
    server = await startServer({ idleTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GA: created, update, append pcm16 at 24 kHz, commit -> items matching an in-process session', async () => {
    const bytes = pcm24k(await clip16k('clips/jfk.wav'));
    const frames = chunks(bytes, 4800);
    const expected = await expectedFinals([...frames, 'commit'], {
      encoding: 'linear16',
      sampleRate: 24000,
      channels: 1,
    });
    expect(expected.filter((t) => t !== '').length).toBeGreaterThan(0);

    const c = connect(`${server.url}/v1/realtime?intent=transcription&decoder=ctc`);
    await c.opened;
    const created = await c.waitFor((m) => m.type === 'session.created');
    expect(created.session).toMatchObject({
      type: 'transcription',
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: { model: 'nemo-streaming-hybrid' },
          turn_detection: { type: 'server_vad', silence_duration_ms: 1200 },
        },
      },
    });
    c.socket.send(
      JSON.stringify({
        type: 'session.update',
        session: {
          type: 'transcription',
          audio: { input: { transcription: { model: 'gpt-4o-transcribe', language: 'en' } } },
        },
      }),
    );
    const updated = await c.waitFor((m) => m.type === 'session.updated');
    expect(updated.session).toMatchObject({
      audio: { input: { transcription: { model: 'gpt-4o-transcribe', language: 'en' } } },
    });
    for (const frame of frames) append(c, frame);
    c.socket.send(JSON.stringify({ type: 'input_audio_buffer.commit', event_id: 'commit-1' }));
    await c.waitFor(
      () =>
        ofType(c.messages, 'conversation.item.input_audio_transcription.completed').length >= expected.length,
    );
    expect(checkItems(c.messages, true)).toEqual(expected);
    expect(ofType(c.messages, 'error')).toEqual([]);
    expect(ofType(c.messages, 'conversation.item.input_audio_transcription.delta').length).toBeGreaterThan(0);
    c.socket.close();
    await c.closed;
  });

  it('beta: g711 mu-law with turn_detection null commits only on the client commit', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const mulaw = encodeMulaw(new LinearResampler(16000, 8000).resample(samples, true));
    const frames = chunks(mulaw, 1600);
    const expected = await expectedFinals(
      [...frames, 'commit'],
      { encoding: 'mulaw', sampleRate: 8000, channels: 1 },
      {
        rule1: { minTrailingSilence: 1e9 },
        rule2: { minTrailingSilence: 1e9 },
      },
    );
    expect(expected).toHaveLength(1);

    const c = connect(`${server.url}/v1/realtime?intent=transcription&decoder=ctc`);
    await c.opened;
    c.socket.send(
      JSON.stringify({
        type: 'transcription_session.update',
        event_id: 'u1',
        session: {
          input_audio_format: 'g711_ulaw',
          turn_detection: null,
          input_audio_transcription: { model: 'whisper-1' },
        },
      }),
    );
    const updated = await c.waitFor((m) => m.type === 'transcription_session.updated');
    expect(updated.session).toMatchObject({
      object: 'realtime.transcription_session',
      input_audio_format: 'g711_ulaw',
      turn_detection: null,
      input_audio_transcription: { model: 'whisper-1' },
    });
    for (const frame of frames) append(c, frame);
    c.socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    await c.waitFor((m) => m.type === 'conversation.item.input_audio_transcription.completed');
    expect(checkItems(c.messages, false)).toEqual(expected);
    c.socket.close();
    await c.closed;
  });

  it('answers invalid events with coded errors (event_id echoed) and the session carries on', async () => {
    const c = connect(`${server.url}/v1/realtime?intent=transcription&decoder=ctc`);
    await c.opened;
    const send = (event: unknown) => c.socket.send(typeof event === 'string' ? event : JSON.stringify(event));
    send('{not json');
    send({ type: 'response.create', event_id: 'e1' });
    send({ type: 'input_audio_buffer.append', event_id: 'e2', audio: 'not base64!' });
    send({ type: 'input_audio_buffer.append', event_id: 'e3', audio: Buffer.alloc(3).toString('base64') });
    send({
      type: 'input_audio_buffer.append',
      event_id: 'e4',
      audio: Buffer.alloc(64 * 1024 + 2).toString('base64'),
    });
    send({ type: 'input_audio_buffer.commit', event_id: 'e5' });
    send({
      type: 'session.update',
      event_id: 'e6',
      session: { type: 'transcription', audio: { input: { transcription: { model: 'nope' } } } },
    });
    send({ type: 'session.update', event_id: 'e7', session: { type: 'realtime' } });
    send({
      type: 'transcription_session.update',
      event_id: 'e8',
      session: { turn_detection: { type: 'server_vad', silence_duration_ms: -1 } },
    });
    await c.waitFor((m) => m.type === 'error' && (m.error as { event_id: string }).event_id === 'e8');
    const errors = ofType(c.messages, 'error').map((m) => m.error as Record<string, unknown>);
    expect(errors.map((e) => [e.event_id, e.code, e.param])).toEqual([
      [null, 'PROTOCOL_BAD_MESSAGE', null],
      ['e1', 'PROTOCOL_BAD_MESSAGE', 'type'],
      ['e2', 'PROTOCOL_BAD_MESSAGE', 'audio'],
      ['e3', 'AUDIO_BAD_FORMAT', 'audio'],
      ['e4', 'LIMIT_FRAME_TOO_LARGE', 'audio'],
      ['e5', 'PROTOCOL_BAD_MESSAGE', null],
      ['e6', 'NOT_FOUND', 'session.audio.input.transcription.model'],
      ['e7', 'PROTOCOL_BAD_MESSAGE', 'session.type'],
      ['e8', 'PROTOCOL_BAD_MESSAGE', 'session.turn_detection.silence_duration_ms'],
    ]);
    for (const e of errors) {
      expect(e.type).toBe('invalid_request_error');
      expect(typeof e.message).toBe('string');
    }
    expect(ofType(c.messages, 'session.updated')).toEqual([]);
    // Still alive: audio and a commit give an item.
    const bytes = pcm24k((await clip16k('clips/jfk.wav')).subarray(0, 3 * 16000));
    for (const frame of chunks(bytes, 4800)) append(c, frame);
    c.socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
    await c.waitFor((m) => m.type === 'conversation.item.input_audio_transcription.completed');
    expect(c.socket.readyState).toBe(c.socket.OPEN);
    c.socket.close();
    await c.closed;
  });

  it('clear discards the uncommitted audio: no item for it, later audio makes new items', async () => {
    const samples = await clip16k('clips/jfk.wav');
    const first = chunks(pcm24k(samples.subarray(0, 3 * 16000)), 4800);
    const second = chunks(pcm24k(samples.subarray(3 * 16000)), 4800);
    const steps: Step[] = [...first, 'clear', ...second, 'commit'];
    const expected = await expectedFinals(steps, { encoding: 'linear16', sampleRate: 24000, channels: 1 });
    const c = connect(`${server.url}/v1/realtime?intent=transcription&decoder=ctc`);
    await c.opened;
    for (const step of steps) {
      if (typeof step === 'string') c.socket.send(JSON.stringify({ type: `input_audio_buffer.${step}` }));
      else append(c, step);
    }
    // A clear queued behind the commit answers once the commit's item is out.
    c.socket.send(JSON.stringify({ type: 'input_audio_buffer.clear' }));
    await c.waitFor(() => ofType(c.messages, 'input_audio_buffer.cleared').length === 2);
    expect(checkItems(c.messages, true)).toEqual(expected);
    // The item the clear abandoned (if speech had started) never completes.
    const clearedAt = c.messages.findIndex((m) => m.type === 'input_audio_buffer.cleared');
    const committedBefore = new Set(
      ofType(c.messages.slice(0, clearedAt), 'input_audio_buffer.committed').map((m) => m.item_id),
    );
    const abandoned = c.messages
      .slice(0, clearedAt)
      .filter((m) => m.item_id !== undefined && !committedBefore.has(m.item_id))
      .map((m) => m.item_id);
    expect(abandoned.length).toBeGreaterThan(0);
    for (const m of ofType(c.messages, 'input_audio_buffer.committed'))
      expect(abandoned).not.toContain(m.item_id);
    expect(ofType(c.messages, 'error')).toEqual([]);
    c.socket.close();
    await c.closed;
  });

  it('refuses other intents at the handshake with a coded 400', async () => {
    const c = connect(`${server.url}/v1/realtime?intent=conversation`);
    const err = (await c.opened.catch((e) => e)) as { res?: { statusCode: number } };
    expect(err.res?.statusCode).toBe(400);
  });
});

describe.runIf(haveData())('GET /v1/realtime with API keys and shutdown', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({}, { apiKeys: ['k3y'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('needs the key, and delivers the last item before closing with 1001 on shutdown', async () => {
    const none = connect(`${server.url}/v1/realtime?intent=transcription`);
    expect(((await none.opened.catch((e) => e)) as { res?: { statusCode: number } }).res?.statusCode).toBe(
      401,
    );

    const c = connect(`${server.url}/v1/realtime?intent=transcription&token=k3y`);
    await c.opened;
    await c.waitFor((m) => m.type === 'session.created');
    const bytes = pcm24k((await clip16k('clips/jfk.wav')).subarray(0, 4 * 16000));
    for (const frame of chunks(bytes, 4800)) append(c, frame);
    // Every append was accepted before the shutdown starts.
    await c.waitFor((m) => m.type === 'input_audio_buffer.speech_started');
    await server.close();
    expect(await c.closed).toBe(1001);
    const completed = ofType(c.messages, 'conversation.item.input_audio_transcription.completed');
    expect(completed.length).toBeGreaterThan(0);
    checkItems(c.messages, true);
  });
});

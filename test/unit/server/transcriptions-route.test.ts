// POST /v1/audio/transcriptions end to end on port 0: every container through ffmpeg or
// the WAV parser, every response format, SSE, 2-pass, coded errors and API keys. The
// transcript is checked against an in-process AsrSession over the same decoded audio.
import { createReadStream, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAsrEngine } from '../../../asr/engine.js';
import type { StreamingRecognizer } from '../../../asr/recognizer.js';
import { AsrSession } from '../../../asr/session/asr-session.js';
import { pump } from '../../../asr/session/run-session.js';
import { decodeAll } from '../../../streaming/audio/index.js';
import { dataDir, haveData, zooDir } from '../asr/helpers/clips.js';
import { type Harness, startServer } from './helpers/server-harness.js';

const PRIMARY = `${zooDir}/nemo-streaming-hybrid`;
const SECOND_PASS = `${zooDir}/paraformer-offline`;

/**
 * The clip as the server gets it: decoded from a byte stream, not a path (ffmpeg keeps an
 * mp3's end padding when it reads from a pipe, so the two differ by a few ms at the end).
 */
function streamed16k(clip: string): Promise<Float32Array> {
  return decodeAll(createReadStream(path.join(dataDir, clip)), { sampleRate: 16000 });
}

/** Segment texts of an in-process session over the same samples, Finalize at the end. */
async function expectedSegments(clip: string, twoPass = false): Promise<string[]> {
  const engine = await loadAsrEngine({ model: PRIMARY, secondPassModel: twoPass ? SECOND_PASS : undefined });
  try {
    const recognizer = engine.primary.recognizer as StreamingRecognizer;
    const session = new AsrSession(recognizer, {
      stream: { decoder: 'ctc' },
      interimResults: false,
      secondPass: engine.secondPass?.recognizer,
    });
    const texts: string[] = [];
    const collect = (e: { type: string; result?: { text: string } }) => {
      if (e.type === 'final' && e.result!.text.trim() !== '') texts.push(e.result!.text.trim());
    };
    const samples = await streamed16k(clip);
    for (let at = 0; at < samples.length; at += 16000) {
      session.acceptAudio(samples.slice(at, at + 16000));
      await pump(recognizer, session, collect);
    }
    session.finalize();
    await pump(recognizer, session, collect);
    session.close();
    return texts;
  } finally {
    await engine.close();
  }
}

function form(clip: string | Blob, fields: Record<string, string | string[]>, fieldsAfter = {}): FormData {
  const body = new FormData();
  const add = (entries: Record<string, string | string[]>) => {
    for (const [k, v] of Object.entries(entries))
      for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  };
  add(fields);
  const file = typeof clip === 'string' ? new Blob([readFileSync(path.join(dataDir, clip))]) : clip;
  body.append('file', file, typeof clip === 'string' ? path.basename(clip) : 'upload.bin');
  add(fieldsAfter);
  return body;
}

async function post(server: Harness, body: FormData, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.http}/v1/audio/transcriptions`, { method: 'POST', body, headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** SSE `data:` payloads. */
function sseEvents(text: string): { type: string; delta?: string; text?: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return JSON.parse(block.slice('data: '.length));
    });
}

/** Parses srt or vtt cues; checks numbering, the time format and that times never go back. */
function parseCues(text: string, kind: 'srt' | 'vtt'): { start: number; end: number; text: string }[] {
  const sep = kind === 'srt' ? ',' : '\\.';
  const time = new RegExp(
    `^(\\d{2}):(\\d{2}):(\\d{2})${sep}(\\d{3}) --> (\\d{2}):(\\d{2}):(\\d{2})${sep}(\\d{3})$`,
  );
  let body = text;
  if (kind === 'vtt') {
    expect(text.startsWith('WEBVTT\n\n')).toBe(true);
    body = text.slice('WEBVTT\n\n'.length);
  }
  const cues = body
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((block, i) => {
      const lines = block.split('\n');
      if (kind === 'srt') expect(lines.shift()).toBe(String(i + 1));
      const m = time.exec(lines[0]!);
      expect(m).not.toBeNull();
      const t = (a: number) => +m![a]! * 3600 + +m![a + 1]! * 60 + +m![a + 2]! + +m![a + 3]! / 1000;
      return { start: t(1), end: t(5), text: lines.slice(1).join(' ') };
    });
  let previous = 0;
  for (const c of cues) {
    expect(c.start).toBeGreaterThanOrEqual(previous);
    expect(c.end).toBeGreaterThanOrEqual(c.start);
    previous = c.end;
  }
  return cues;
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');

describe.runIf(haveData())('POST /v1/audio/transcriptions', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['clips/jfk.wav', 'clips/jfk.mp3', 'clips/jfk-stereo-24bit-44k.flac', 'clips/vad-speech.opus'])(
    '%s: verbose_json matches an in-process session, word times monotonic',
    async (clip) => {
      const expected = await expectedSegments(clip);
      expect(expected.length).toBeGreaterThan(0);
      const res = await post(
        server,
        form(clip, {
          decoder: 'ctc',
          model: 'whisper-1',
          response_format: 'verbose_json',
          'timestamp_granularities[]': ['word', 'segment'],
        }),
      );
      expect(res.status, res.text).toBe(200);
      const body = JSON.parse(res.text);
      expect(body.task).toBe('transcribe');
      expect(body.segments.map((s: { text: string }) => s.text)).toEqual(expected);
      expect(body.text).toBe(expected.join(' '));
      const duration = (await streamed16k(clip)).length / 16000;
      expect(body.duration).toBeCloseTo(duration, 2);
      let previous = 0;
      for (const w of body.words as { word: string; start: number; end: number }[]) {
        expect(w.start).toBeGreaterThanOrEqual(previous);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.end).toBeLessThanOrEqual(duration + 0.5);
        previous = w.start;
      }
      expect((body.words as { word: string }[]).map((w) => w.word).join(' ')).toBe(words(body.text));
      for (const [i, s] of (body.segments as { id: number; start: number; end: number }[]).entries()) {
        expect(s.id).toBe(i);
        expect(s.end).toBeGreaterThanOrEqual(s.start);
      }
    },
  );

  it('writes json, text, srt and vtt with the same transcript', async () => {
    const clip = 'clips/jfk.wav';
    const get = (response_format: string) => post(server, form(clip, { decoder: 'ctc', response_format }));
    const [json, text, srt, vtt] = await Promise.all(['json', 'text', 'srt', 'vtt'].map(get));
    for (const r of [json, text, srt, vtt]) expect(r!.status, r!.text).toBe(200);
    const transcript = JSON.parse(json!.text).text as string;
    expect(transcript).toBe((await expectedSegments(clip)).join(' '));
    expect(JSON.parse(json!.text).usage).toEqual({ type: 'duration', seconds: 11 });
    expect(text!.type).toMatch(/^text\/plain/);
    expect(text!.text).toBe(`${transcript}\n`);
    expect(vtt!.type).toMatch(/^text\/vtt/);
    for (const [r, kind] of [
      [srt!, 'srt'],
      [vtt!, 'vtt'],
    ] as const) {
      const cues = parseCues(r.text, kind);
      expect(cues.length).toBeGreaterThan(0);
      expect(words(cues.map((c) => c.text).join(' '))).toBe(words(transcript));
    }
  });

  it.each([
    ['before', { stream: 'true' }, {}],
    ['after', {}, { stream: 'true' }],
  ])('stream=true (%s the file): SSE deltas concatenate to the done text', async (_when, before, after) => {
    const clip = 'clips/jfk.wav';
    const res = await post(server, form(clip, { decoder: 'ctc', ...before }, after));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/event-stream/);
    const events = sseEvents(res.text);
    const done = events.at(-1)!;
    expect(done.type).toBe('transcript.text.done');
    const deltas = events.slice(0, -1);
    expect(deltas.every((e) => e.type === 'transcript.text.delta')).toBe(true);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.map((e) => e.delta).join('')).toBe(done.text);
    expect(done.text).toBe((await expectedSegments(clip)).join(' '));
  });

  it('answers coded errors: corrupt, empty, no file, unknown model, bad fields', async () => {
    const garbage = new Blob([Buffer.from('this is not audio at all, just some text. '.repeat(200))]);
    const corrupt = await post(server, form(garbage, {}));
    expect(corrupt.status).toBe(400);
    expect(JSON.parse(corrupt.text).error.code).toBe('AUDIO_DECODE_FAILED');

    const empty = await post(server, form(new Blob([]), {}));
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text).error.code).toBe('AUDIO_DECODE_FAILED');

    const noFile = new FormData();
    noFile.append('model', 'whisper-1');
    const missing = await post(server, noFile);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).error.code).toBe('PROTOCOL_BAD_PARAMS');

    for (const [before, after] of [
      [{ model: 'whisper-9000' }, {}],
      [{}, { model: 'whisper-9000' }],
    ]) {
      const wrong = await post(server, form('clips/jfk.mp3', before!, after));
      expect(wrong.status).toBe(404);
      expect(JSON.parse(wrong.text).error.code).toBe('NOT_FOUND');
    }

    for (const [fields, after] of [
      [{ response_format: 'docx' }, {}],
      [{ 'timestamp_granularities[]': 'word' }, {}],
      [{ lookahead: '-1' }, {}],
      [{}, { two_pass: 'true' }],
    ] as const) {
      const bad = await post(server, form('clips/jfk.mp3', fields, after));
      expect(bad.status, JSON.stringify(fields)).toBe(400);
      expect(JSON.parse(bad.text).error.code).toBe('PROTOCOL_BAD_PARAMS');
    }

    const noSecondPass = await post(server, form('clips/jfk.mp3', { two_pass: 'true' }));
    expect(noSecondPass.status).toBe(400);
    expect(JSON.parse(noSecondPass.text).error.code).toBe('ASR_UNSUPPORTED_OPTION');
  });

  it('a client that goes away mid-upload ends decoding and its engine session', async () => {
    const { app } = server;
    const bytes = readFileSync(path.join(dataDir, 'clips/vad-speech.mp3'));
    const boundary = 'speechstream-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`,
    );
    const url = new URL(server.http);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/v1/audio/transcriptions',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + bytes.length + 100),
      },
    });
    req.on('error', () => {});
    req.write(head);
    req.write(bytes.subarray(0, bytes.length / 2));
    await waitUntil(() => app.context.connections.size === 1 && app.context.engine.sessionCount === 1);
    req.destroy();
    await waitUntil(() => app.context.connections.size === 0 && app.context.engine.sessionCount === 0);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.runIf(haveData())('POST /v1/audio/transcriptions, 2-pass', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({}, { secondPassModel: SECOND_PASS });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('two_pass (or the second-pass model by name) re-decodes each segment with the offline model', async () => {
    const clip = 'clips/jfk.wav';
    const expected = await expectedSegments(clip, true);
    const online = await expectedSegments(clip, false);
    expect(expected).not.toEqual(online);
    for (const fields of [{ two_pass: 'true' }, { model: 'paraformer-offline' }]) {
      const res = await post(
        server,
        form(clip, { decoder: 'ctc', response_format: 'verbose_json', ...fields }),
      );
      expect(res.status, res.text).toBe(200);
      const body = JSON.parse(res.text);
      expect(body.segments.map((s: { text: string }) => s.text)).toEqual(expected);
    }
  });
});

describe.runIf(haveData())('POST /v1/audio/transcriptions, keys and limits', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({ maxUploadBytes: 200_000 }, { apiKeys: ['k3y'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('needs the API key, and refuses an upload over the limit with 413', async () => {
    const none = await post(server, form('clips/jfk.mp3', {}));
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).error.code).toBe('AUTH_UNAUTHORIZED');
    const auth = { authorization: 'Bearer k3y' };
    const ok = await post(server, form('clips/jfk.mp3', { response_format: 'text' }), auth);
    expect(ok.status).toBe(200);
    expect(ok.text.trim().length).toBeGreaterThan(0);
    const big = await post(server, form('clips/jfk.wav', {}), auth);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error.code).toBe('LIMIT_FRAME_TOO_LARGE');
    expect(server.app.context.engine.sessionCount).toBe(0);
  });
});

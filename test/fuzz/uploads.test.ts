// Fuzzing POST /v1/audio/transcriptions through the real server on port 0: random and
// truncated multipart bodies, random form fields, wrong content types, missing files,
// huge declared sizes, uploads trickled byte by byte. Every answer is a 200 or a coded
// 4xx whose status is the catalogue's for its code (never a 5xx, never a hang), and after
// each batch no session is left and /health answers.
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../common/errors.js';
import {
  expectHealthy,
  multipartBody,
  sleep,
  waitForNoSessions,
  wav16,
} from '../unit/reliability/helpers.js';
import { type Harness, startServer } from '../unit/server/helpers/server-harness.js';

const MAX_UPLOAD = 256 * 1024;
const BOUNDARY = 'fuzz-boundary-7f3a';

interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * A raw POST: `chunks` written one by one (with `gapMs` between them), then ended unless
 * `end` is false. Rejects when no answer arrives within `timeoutMs` (a hang is a failure).
 */
function post(
  server: Harness,
  headers: Record<string, string>,
  chunks: readonly Uint8Array[],
  options: { end?: boolean; gapMs?: number; timeoutMs?: number } = {},
): Promise<Answer> {
  const url = new URL(server.http);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/v1/audio/transcriptions',
      headers,
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 20_000} ms`));
    }, options.timeoutMs ?? 20_000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    // The server may answer and close before the whole body is written (413, bad form).
    req.on('error', () => {});
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        req.write(chunk);
        if (options.gapMs !== undefined) await sleep(options.gapMs);
      }
      if (options.end !== false && !req.destroyed) req.end();
    })();
  });
}

/** A 200 with a transcript, or a coded 4xx whose status matches the catalogue. */
function expectCodedAnswer(answer: Answer): void {
  expect(answer.status, answer.body).toBeLessThan(500);
  if (answer.status === 200) return;
  const code = (JSON.parse(answer.body) as { error: { code: keyof typeof errorCatalogue } }).error.code;
  expect(Object.hasOwn(errorCatalogue, code), code).toBe(true);
  expect(errorCatalogue[code].http).toBe(answer.status);
}

const form = (body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`) => ({
  'content-type': contentType,
  'content-length': String(body.length),
});

const fileHeaders = (name = 'file', filename = 'a.wav') =>
  `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream`;

const tone = (seconds: number) =>
  Float32Array.from(
    { length: Math.round(seconds * 16000) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000),
  );

/** File contents: a small WAV, a WAV with a random header or data, or random bytes (ffmpeg). */
const fileArb = fc.oneof(
  { arbitrary: fc.constant(wav16(tone(0.3))), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.array(fc.tuple(fc.nat(43), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(9644))
      .map(([edits, cut]) => {
        const bytes = Buffer.from(wav16(tone(0.3)).subarray(0, cut));
        for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v;
        return bytes;
      }),
    weight: 3,
  },
  { arbitrary: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), weight: 1 },
);

const fieldArb = fc.record({
  name: fc.oneof(
    fc.constantFrom(
      'model',
      'response_format',
      'stream',
      'lookahead',
      'decoder',
      'hotwords',
      'two_pass',
      'temperature',
    ),
    fc.string({ maxLength: 8 }).filter((s) => !/["\r\n]/.test(s)),
  ),
  value: fc.oneof(
    fc.constantFrom(
      'json',
      'text',
      'srt',
      'vtt',
      'verbose_json',
      'true',
      '1',
      '-1',
      'ctc',
      'whisper-1',
      '../../etc/passwd',
    ),
    fc.string({ maxLength: 30 }),
  ),
});

const formArb = fc.record({
  before: fc.array(fieldArb, { maxLength: 3 }),
  file: fc.option(fileArb, { freq: 5 }),
  fileField: fc.constantFrom('file', 'file', 'file', 'audio'),
  after: fc.array(fieldArb, { maxLength: 2 }),
  cut: fc.option(fc.nat(), { freq: 4 }),
  closed: fc.boolean(),
});

describe('POST /v1/audio/transcriptions fuzz', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({ maxUploadBytes: MAX_UPLOAD });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('random forms (fields before and after, odd file fields, truncated) get a 200 or a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(formArb, async (f) => {
        const parts = [
          ...f.before.map((x) => ({
            headers: `Content-Disposition: form-data; name="${x.name}"`,
            body: x.value,
          })),
          ...(f.file === null ? [] : [{ headers: fileHeaders(f.fileField), body: f.file }]),
          ...f.after.map((x) => ({
            headers: `Content-Disposition: form-data; name="${x.name}"`,
            body: x.value,
          })),
        ];
        let body = multipartBody(BOUNDARY, parts, f.closed);
        if (f.cut !== null) body = body.subarray(0, f.cut % (body.length + 1));
        expectCodedAnswer(await post(server, form(body), [body]));
      }),
      { numRuns: 150 },
    );
    await waitForNoSessions(server);
    await expectHealthy(server);
  });

  it('random bytes under any content type get a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.oneof(
          fc.constantFrom(
            `multipart/form-data; boundary=${BOUNDARY}`,
            'multipart/form-data',
            'multipart/form-data; boundary=',
            'multipart/mixed; boundary=x',
            'application/json',
            'application/octet-stream',
            'text/plain',
            'audio/wav',
            'application/x-www-form-urlencoded',
          ),
          // Header values must be printable ASCII, or the client refuses to send them.
          fc.stringMatching(/^[ -~]{0,40}$/),
        ),
        async (bytes, type) => {
          const body = Buffer.from(bytes);
          const answer = await post(server, form(body, type), [body]);
          expectCodedAnswer(answer);
          expect(answer.status).not.toBe(200);
        },
      ),
      { numRuns: 200 },
    );
    await waitForNoSessions(server);
    await expectHealthy(server);
  });

  it.each([
    ['no content type', {}, 'PROTOCOL_BAD_PARAMS'],
    ['JSON', { 'content-type': 'application/json' }, 'PROTOCOL_BAD_PARAMS'],
    ['multipart without a boundary', { 'content-type': 'multipart/form-data' }, 'PROTOCOL_BAD_PARAMS'],
    ['an empty boundary', { 'content-type': 'multipart/form-data; boundary=' }, 'PROTOCOL_BAD_PARAMS'],
  ])('%s: coded 400', async (_what, headers, code) => {
    const body = multipartBody(BOUNDARY, [{ headers: fileHeaders(), body: wav16(tone(0.2)) }]);
    const answer = await post(server, { ...headers, 'content-length': String(body.length) }, [body]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe(code);
  });

  it('a form without a file part, or with the audio under another name, is PROTOCOL_BAD_PARAMS', async () => {
    for (const parts of [
      [{ headers: 'Content-Disposition: form-data; name="model"', body: 'whisper-1' }],
      [{ headers: fileHeaders('audio'), body: wav16(tone(0.2)) }],
      [],
    ]) {
      const body = multipartBody(BOUNDARY, parts);
      const answer = await post(server, form(body), [body]);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error.code).toBe('PROTOCOL_BAD_PARAMS');
    }
  });

  it('a huge declared size is refused before the body is read; an endless body stops at the limit', async () => {
    const small = multipartBody(BOUNDARY, [{ headers: fileHeaders(), body: wav16(tone(0.3)) }]);
    const huge = {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(1e12),
    };
    const early = await post(server, huge, [small], { end: false });
    expect(early.status).toBe(413);
    expect(JSON.parse(early.body).error.code).toBe('LIMIT_FRAME_TOO_LARGE');
    // Chunked (no declared size): a streamed WAV header (sizes unknown), then endless data.
    const header = wav16(new Float32Array(0));
    header.writeUInt32LE(0xffffffff, 4);
    header.writeUInt32LE(0xffffffff, 40);
    const head = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${fileHeaders()}\r\n\r\n`), header]);
    const endless = [head, ...Array.from({ length: 40 }, () => Buffer.alloc(16 * 1024, 1))];
    const chunked = {
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'transfer-encoding': 'chunked',
    };
    const answer = await post(server, chunked, endless, { end: false });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('LIMIT_FRAME_TOO_LARGE');
    await waitForNoSessions(server);
    await expectHealthy(server);
  });

  it('an upload trickled byte by byte within the limit completes; one that exceeds it gets 413', async () => {
    const audio = wav16(tone(0.4));
    const body = multipartBody(BOUNDARY, [
      { headers: 'Content-Disposition: form-data; name="response_format"', body: 'json' },
      { headers: fileHeaders(), body: audio },
    ]);
    // The form head one byte at a time, then the audio in 64-byte pieces.
    const headEnd = body.indexOf(audio);
    const chunks = [
      ...Array.from(body.subarray(0, headEnd), (b) => Uint8Array.of(b)),
      ...Array.from({ length: Math.ceil((body.length - headEnd) / 64) }, (_, i) =>
        body.subarray(headEnd + i * 64, Math.min(body.length, headEnd + (i + 1) * 64)),
      ),
    ];
    const ok = await post(server, form(body), chunks, { gapMs: 0, timeoutMs: 60_000 });
    expect(ok.status, ok.body).toBe(200);
    expect(JSON.parse(ok.body)).toHaveProperty('text');

    const big = multipartBody(BOUNDARY, [
      { headers: fileHeaders(), body: wav16(tone(MAX_UPLOAD / 32000 + 0.5)) },
    ]);
    const pieces = Array.from({ length: Math.ceil(big.length / 4096) }, (_, i) =>
      big.subarray(i * 4096, (i + 1) * 4096),
    );
    const refused = await post(server, form(big), pieces, { gapMs: 1, timeoutMs: 60_000 });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error.code).toBe('LIMIT_FRAME_TOO_LARGE');
    await waitForNoSessions(server);
    await expectHealthy(server);
  });
});

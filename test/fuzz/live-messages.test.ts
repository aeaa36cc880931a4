// Fuzzing live sessions through the real server: random sequences of text frames (JSON
// shaped like the protocol's messages, random JSON, random text) and binary frames of any
// length on /v1/listen and /v1/realtime. The session either carries on, or ends with a
// close code that is the catalogue's code for the coded error it sent last; the server
// never throws (an uncaught exception fails the run), frees every session, and /health
// answers after each batch.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../common/errors.js';
import { expectHealthy, sleep, waitForNoSessions } from '../unit/reliability/helpers.js';
import { connect, type Harness, startServer, type WsMessage } from '../unit/server/helpers/server-harness.js';

type Frame = { readonly text: string } | { readonly binary: Uint8Array };

const jsonish = (types: readonly string[], fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), weight: 1 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...types), fc.record(fields, { requiredKeys: [] }))
        .map(([type, rest]) => JSON.stringify({ type, ...rest })),
      weight: 4,
    },
  );

const binary = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: 0, max: 40_000 }).map((n) => new Uint8Array(n)),
);

const listenFrames = fc.array(
  fc.oneof(
    {
      arbitrary: jsonish(['KeepAlive', 'Finalize', 'Configure', 'CloseStream', 'Dance'], {
        keyterm: fc.oneof(
          fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        endpointing: fc.oneof(
          fc.integer({ min: -5, max: 70_000 }),
          fc.constantFrom(false, true, '300', null),
        ),
        channel: fc.jsonValue({ maxDepth: 0 }),
      }).map((text): Frame => ({ text })),
      weight: 3,
    },
    { arbitrary: binary.map((b): Frame => ({ binary: b })), weight: 2 },
  ),
  { minLength: 1, maxLength: 20 },
);

const realtimeFrames = fc.array(
  fc.oneof(
    {
      arbitrary: jsonish(
        [
          'input_audio_buffer.append',
          'input_audio_buffer.commit',
          'input_audio_buffer.clear',
          'session.update',
          'transcription_session.update',
          'response.create',
        ],
        {
          event_id: fc.oneof(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 0 })),
          audio: fc.oneof(
            fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b).toString('base64')),
            fc.string({ maxLength: 12 }),
          ),
          session: fc.oneof(
            fc.record(
              {
                type: fc.constantFrom('transcription', 'realtime'),
                input_audio_format: fc.constantFrom('pcm16', 'g711_ulaw', 'g711_alaw', 'opus'),
                turn_detection: fc.oneof(
                  fc.constant(null),
                  fc.record({
                    type: fc.constant('server_vad'),
                    silence_duration_ms: fc.integer({ min: -1, max: 70_000 }),
                  }),
                ),
                audio: fc.record({
                  input: fc.record(
                    {
                      format: fc.record({
                        type: fc.constantFrom('audio/pcm', 'audio/pcmu', 'audio/pcma'),
                        rate: fc.oneof(
                          fc.constantFrom(8000, 16000, 24000, 44100, 48000),
                          fc.integer({ min: 7000, max: 200_000 }),
                        ),
                      }),
                      transcription: fc.record(
                        {
                          model: fc.constantFrom('whisper-1', '../x', 'nope'),
                          hotwords: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
                        },
                        { requiredKeys: [] },
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                }),
              },
              { requiredKeys: [] },
            ),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        },
      ).map((text): Frame => ({ text })),
      weight: 4,
    },
    { arbitrary: binary.map((b): Frame => ({ binary: b })), weight: 1 },
  ),
  { minLength: 1, maxLength: 20 },
);

/** Sends the frames, then ends the session; checks how it ended. */
async function play(
  server: Harness,
  path: string,
  frames: readonly Frame[],
  errorOf: (m: WsMessage) => string | undefined,
) {
  const c = connect(`${server.url}${path}`);
  await c.opened;
  for (const f of frames) {
    if (c.socket.readyState !== c.socket.OPEN) break;
    c.socket.send('text' in f ? f.text : f.binary);
  }
  // Give the server time to act on what it got (engine errors arrive asynchronously).
  await sleep(25);
  if (c.socket.readyState === c.socket.OPEN) c.socket.close(1000);
  const code = await c.closed;
  const codes = c.messages.map(errorOf).filter((x): x is string => x !== undefined);
  for (const e of codes) expect(Object.hasOwn(errorCatalogue, e), e).toBe(true);
  // Closed by the server for an error: its close code is the catalogue's for the last error.
  if (code !== 1000 && code !== 1005) {
    const last = codes.at(-1);
    expect(last, `close ${code} without a coded error`).toBeDefined();
    expect(errorCatalogue[last as keyof typeof errorCatalogue].ws).toBe(code);
  }
}

describe('live session message fuzz', () => {
  let server: Harness;
  beforeAll(async () => {
    server = await startServer({ maxFrameBytes: 32 * 1024, idleTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('/v1/listen: random control messages and audio frames', async () => {
    await fc.assert(
      fc.asyncProperty(
        listenFrames,
        fc.constantFrom('linear16', 'linear32', 'mulaw'),
        async (frames, encoding) => {
          await play(server, `/v1/listen?encoding=${encoding}&interim_results=true`, frames, (m) =>
            m.type === 'Error' ? String(m.code) : undefined,
          );
        },
      ),
      { numRuns: 100 },
    );
    await waitForNoSessions(server);
    await expectHealthy(server);
  });

  it('/v1/realtime: random events', async () => {
    await fc.assert(
      fc.asyncProperty(realtimeFrames, async (frames) => {
        await play(server, '/v1/realtime?intent=transcription', frames, (m) =>
          m.type === 'error' ? String((m.error as { code: string }).code) : undefined,
        );
      }),
      { numRuns: 100 },
    );
    await waitForNoSessions(server);
    await expectHealthy(server);
  });
});

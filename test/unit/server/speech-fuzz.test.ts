// Fuzzing the speech route's request handling with fast-check: thousands of random and
// near-miss bodies through the validation functions, and through the real fastify stack
// (JSON parser, auth hook, error handler, route) with a TTS client that is always busy, so
// nothing is synthesised. Every refusal must be a coded 4xx whose status is its code's;
// what passes validation reaches the (busy) synthesis and is answered 503. Nothing throws
// anything uncoded, nothing hangs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, errorCatalogue, SpeechError } from '../../../common/errors.js';
import { type App, buildApp } from '../../../server/app.js';
import type { EngineClient } from '../../../server/engine/engine-client.js';
import {
  parseSpeechBody,
  resolveSpeechTarget,
  speechFormats,
} from '../../../server/protocol/speech-protocol.js';
import type { TtsClient } from '../../../server/tts/tts-client.js';
import type { TtsModelInfo } from '../../../server/tts/tts-protocol.js';
import { codeOf } from '../../fuzz/fuzz-helpers.js';
import { testLimits } from './helpers/server-harness.js';

const MAX_CHARS = 64;

const models: TtsModelInfo[] = [
  {
    id: 'ardit-tiny',
    family: 'ardit-tts',
    sampleRate: 16000,
    provider: 'cpu',
    voices: ['default'],
    defaultVoice: 'default',
    dir: '/x/ardit-tiny',
  },
  {
    id: 'maskgct-tiny',
    family: 'maskgct-tts',
    sampleRate: 16000,
    provider: 'cpu',
    voices: ['probe', 'other'],
    defaultVoice: 'probe',
    dir: '/x/maskgct-tiny',
  },
];

/** Values a careless or hostile client puts in a field. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    ...speechFormats,
    'sse',
    'audio',
    'alloy',
    'shimmer',
    'probe',
    'default',
    'other',
    'tts-1',
    'tts-1-hd',
    'gpt-4o-mini-tts',
    'ardit-tiny',
    'maskgct-tiny',
    '',
    ' ',
    'Hello there.',
    '!!!',
    'a'.repeat(MAX_CHARS + 1),
    '😀'.repeat(MAX_CHARS),
    '\u0000',
    0.25,
    4,
    4.0001,
    0.2499,
    -1,
    0,
    1.5,
    2 ** 53,
    Number.MAX_VALUE,
    true,
    null,
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const fieldName = fc.constantFrom(
  'model',
  'input',
  'voice',
  'response_format',
  'speed',
  'stream_format',
  'instructions',
  'seed',
  'extra_field',
  '__proto__',
  'constructor',
);

/** Objects shaped like requests (mostly with a string input), near misses included. */
const requestBody = fc
  .tuple(
    fc.dictionary(fieldName, fieldValue, { maxKeys: 6 }),
    fc.option(fc.oneof(fc.constantFrom('Hello there.', '', 'Hi!'), fc.string({ maxLength: 80 })), {
      nil: undefined,
    }),
  )
  .map(([fields, input]) => (input === undefined ? fields : { ...fields, input }));

function expectCoded4xx(err: unknown): void {
  const code = codeOf(err) as ErrorCode;
  expect(errorCatalogue[code].http).toBeGreaterThanOrEqual(400);
  expect(errorCatalogue[code].http).toBeLessThan(500);
}

describe('speech body validation (pure)', () => {
  it('anything at all is a valid body or a coded 4xx', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), requestBody), (raw) => {
        try {
          const body = parseSpeechBody(raw, MAX_CHARS);
          const target = resolveSpeechTarget(body, models);
          expect(target.model.voices).toContain(target.voice);
          expect(speechFormats).toContain(body.response_format);
          expect(body.speed).toBeGreaterThanOrEqual(0.25);
          expect(body.speed).toBeLessThanOrEqual(4);
          expect([...body.input].length).toBeLessThanOrEqual(MAX_CHARS);
          expect(body.input.trim()).not.toBe('');
        } catch (err) {
          expectCoded4xx(err);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('bounded messages: a body with hundreds of bad fields names a few and counts the rest', () => {
    const raw = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, i]));
    const err = (() => {
      try {
        parseSpeechBody(
          { ...raw, input: 1, model: 2, voice: 3, speed: 'x', seed: 'y', response_format: 9 },
          10,
        );
      } catch (e) {
        return e as SpeechError;
      }
    })()!;
    expect(err.code).toBe('PROTOCOL_BAD_PARAMS');
    expect(err.message.length).toBeLessThan(1000);
  });
});

describe('POST /v1/audio/speech through fastify (nothing synthesised)', () => {
  let app: App;
  let speakCalls = 0;

  beforeAll(async () => {
    // Only what the routes touch: the engine's description and the TTS models; every
    // synthesis is refused as busy, so a valid body costs nothing.
    const engine = {
      engine: {
        primary: { id: 'asr', family: 'x', mode: 'streaming', provider: 'cpu', sampleRate: 16000 },
        secondPass: undefined,
        providers: {},
      },
      onBatch: undefined,
      stop: async () => {},
    } as unknown as EngineClient;
    const tts = {
      models,
      defaultModel: models[0],
      active: 0,
      waiting: 0,
      speak: async () => {
        speakCalls++;
        throw new SpeechError('LIMIT_TOO_MANY_CONNECTIONS', 'busy (fuzz)');
      },
      stop: async () => {},
    } as unknown as TtsClient;
    app = await buildApp({
      engine,
      tts,
      limits: { ...testLimits, ttsMaxChars: MAX_CHARS },
      auth: { apiKeys: [] },
      corsOrigins: [],
    });
    await app.fastify.ready();
  });
  afterAll(async () => {
    await app?.fastify.close();
  });

  const contentType = fc.constantFrom(
    'application/json',
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    undefined,
  );
  // Well-formed requests, so that how often the fuzz reaches past validation (checked at
  // the end) does not hang on the luck of the near-miss generators (1,500 runs of those
  // alone gave 9-20 valid bodies).
  const wellFormed = fc.record(
    {
      target: fc.constantFrom(
        { model: 'ardit-tiny', voice: 'default' },
        { model: 'maskgct-tiny', voice: 'other' },
        { model: 'tts-1', voice: 'alloy' },
        { voice: 'probe' },
        {},
      ),
      input: fc.constantFrom('Hello there.', 'Hi!', 'a'.repeat(MAX_CHARS)),
      response_format: fc.constantFrom(...speechFormats),
      speed: fc.double({ min: 0.25, max: 4, noNaN: true }),
    },
    { requiredKeys: ['target', 'input'] },
  );
  const rawBody = fc.oneof(
    wellFormed.map(({ target, ...rest }) => JSON.stringify({ ...target, ...rest })),
    requestBody.map((b) => JSON.stringify(b)),
    requestBody.chain((b) => {
      const json = JSON.stringify(b);
      return fc.nat({ max: json.length }).map((n) => json.slice(0, n));
    }),
    fc.json(),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom(
      '',
      '{',
      '}',
      '[]',
      'null',
      '"input"',
      '{"input": "hi", "input": 5}',
      '{"__proto__": {"x": 1}}',
    ),
  );

  it('every request is answered: a coded 4xx, or 503 busy once it passed validation', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (payload, type) => {
        const res = await app.fastify.inject({
          method: 'POST',
          url: '/v1/audio/speech',
          payload,
          headers: type === undefined ? {} : { 'content-type': type },
        });
        const json = res.json() as { error?: { code?: string; message?: string } };
        const code = json.error?.code as ErrorCode | undefined;
        expect(code !== undefined && Object.hasOwn(errorCatalogue, code), res.body).toBe(true);
        expect(res.statusCode).toBe(errorCatalogue[code!].http);
        expect(json.error!.message!.length).toBeLessThan(2000);
        if (res.statusCode >= 500) {
          // Only a request that passed validation gets this far: the synthesis is busy, or
          // this machine has no ffmpeg for a compressed format.
          expect(['LIMIT_TOO_MANY_CONNECTIONS', 'AUDIO_FFMPEG_MISSING']).toContain(code);
          valid++;
        } else {
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
        }
      }),
      { numRuns: 1500 },
    );
    // The generators reach past validation too, not only refusals.
    expect(valid).toBeGreaterThan(10);
    expect(speakCalls).toBeGreaterThan(10);
  });
});

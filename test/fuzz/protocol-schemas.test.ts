// Fuzzing the wire schemas: /v1/listen query parameters and control messages, OpenAI
// Realtime client events, and /v1/audio/transcriptions form fields, with random JSON,
// random strings and near-miss values. Every input is either refused (a zod error that
// becomes a coded PROTOCOL_* error with a bounded message) or accepted, and what is
// accepted satisfies the invariants the routes rely on: it builds a LiveAudioInput (or is
// refused with a coded audio error), an engine session spec and endpoint rules without
// throwing anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeEndpointConfig } from '../../asr/endpoint.js';
import { SpeechError } from '../../common/errors.js';
import type { EngineDescription } from '../../server/engine/engine-protocol.js';
import { listenClientMessageSchema, listenQuerySchema } from '../../server/protocol/listen-protocol.js';
import {
  applyUpdate,
  betaUpdate,
  defaultSessionConfig,
  endpointFor,
  eventEnvelopeSchema,
  gaUpdate,
  isClientEventType,
  liveFormat,
  realtimeClientEventSchemas,
  realtimeQuerySchema,
} from '../../server/protocol/realtime-protocol.js';
import {
  granularities,
  resolveModel,
  transcriptionFieldsSchema,
} from '../../server/protocol/transcriptions-protocol.js';
import { formatZodError } from '../../server/protocol/zod-errors.js';
import { endpointingOverrides, parseKeyterm, sessionSpec } from '../../server/routes/listen-route.js';
import { LiveAudioInput } from '../../streaming/live-audio-input.js';
import { codeOf } from './fuzz-helpers.js';

const MODEL_RATE = 16000;

/** Strings a careless or hostile client sends for a number or a flag. */
const nearMiss = fc.constantFrom(
  '',
  ' ',
  '0',
  '-0',
  '1',
  '-1',
  '16000',
  ' 16000 ',
  '16000.5',
  '1e3',
  '1e400',
  '0x3e80',
  'NaN',
  'Infinity',
  '-Infinity',
  '384000',
  '384001',
  '383999',
  '9007199254740993',
  'true',
  'false',
  'TRUE',
  'null',
  'undefined',
  '[]',
  '{}',
  '../../etc/passwd',
  '%00',
  '\u0000',
  'a'.repeat(201),
  'linear16',
  'mulaw',
  'ctc',
  'hybrid',
);
const anyString = fc.oneof(
  nearMiss,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** A query or form value: one string, or a repeated parameter. */
const queryValue = fc.oneof(
  { arbitrary: anyString, weight: 4 },
  { arbitrary: fc.array(anyString, { maxLength: 3 }), weight: 1 },
);

function queryArb(keys: readonly string[]): fc.Arbitrary<Record<string, string | string[]>> {
  return fc
    .tuple(
      fc.dictionary(fc.constantFrom(...keys), queryValue, { maxKeys: keys.length }),
      fc.dictionary(fc.string({ maxLength: 8 }), queryValue, { maxKeys: 2 }),
    )
    .map(([known, extra]) => {
      // The shape fastify's query parser produces: a null-prototype record of strings.
      const out: Record<string, string | string[]> = Object.create(null);
      Object.assign(out, extra, known);
      return out;
    });
}

/** A refusal as the routes report it: a coded error whose message stays small. */
function expectCodedRefusal(error: Parameters<typeof formatZodError>[0], where: string): void {
  const message = formatZodError(error, where);
  const coded = new SpeechError('PROTOCOL_BAD_PARAMS', message);
  expect(coded.httpStatus).toBe(400);
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThan(20_000);
}

/** LiveAudioInput from an accepted format: built, or refused with a coded audio error. */
function expectAudioInput(format: { encoding: string; sampleRate: number; channels: number }): void {
  const code = codeOf(
    () => new LiveAudioInput(format as ConstructorParameters<typeof LiveAudioInput>[0], MODEL_RATE),
  );
  expect([undefined, 'AUDIO_BAD_SAMPLE_RATE']).toContain(code);
}

const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

describe('/v1/listen query fuzz', () => {
  const keys = [
    'model',
    'encoding',
    'sample_rate',
    'channels',
    'interim_results',
    'endpointing',
    'utterance_end_ms',
    'vad_events',
    'keyterm',
    'keywords',
    'lookahead',
    'two_pass',
    'decoder',
    'token',
    'tag',
  ];

  it('accepts only queries that make a valid audio format, session spec and endpoint rules', () => {
    let accepted = 0;
    fc.assert(
      fc.property(queryArb(keys), (query) => {
        const parsed = listenQuerySchema.safeParse(query);
        if (!parsed.success) {
          expectCodedRefusal(parsed.error, 'query');
          return;
        }
        accepted++;
        const q = parsed.data;
        expect(['linear16', 'linear32', 'mulaw', 'alaw']).toContain(q.encoding);
        expect(isInt(q.sample_rate, 1, 384_000)).toBe(true);
        expect(isInt(q.channels, 1, 64)).toBe(true);
        for (const flag of [q.interim_results, q.vad_events, q.two_pass]) expect(typeof flag).toBe('boolean');
        if (q.lookahead !== undefined) expect(isInt(q.lookahead, 0, 64)).toBe(true);
        if (q.utterance_end_ms !== undefined) expect(isInt(q.utterance_end_ms, 100, 60_000)).toBe(true);
        if (q.endpointing !== undefined && q.endpointing !== false && q.endpointing !== 'false') {
          expect(isInt(q.endpointing, 10, 60_000)).toBe(true);
        }
        for (const list of [q.keyterm, q.keywords]) {
          if (list === undefined) continue;
          expect(list.length).toBeLessThanOrEqual(100);
          for (const t of list) expect(t.length >= 1 && t.length <= 200).toBe(true);
        }
        expectAudioInput({ encoding: q.encoding, sampleRate: q.sample_rate, channels: q.channels });
        const spec = sessionSpec(q);
        for (const h of spec.hotwords ?? []) {
          expect(typeof h.phrase).toBe('string');
          if (h.boost !== undefined) expect(Number.isFinite(h.boost)).toBe(true);
        }
        mergeEndpointConfig(spec.endpoint ?? {});
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('parseKeyterm never throws; a boost is a number >= 0 (an overflowing one is refused by the engine)', () => {
    fc.assert(
      fc.property(
        anyString,
        fc.oneof(
          fc.constant(''),
          fc.stringMatching(/^:\d{1,12}(\.\d{0,5})?$/),
          fc.constant(`:${'9'.repeat(400)}`),
        ),
        (a, b) => {
          const h = parseKeyterm(a + b);
          if (h.boost !== undefined) expect(h.boost).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** JSON values, and objects shaped like the messages with random or near-miss fields. */
function messageArb(types: readonly string[], fields: Record<string, fc.Arbitrary<unknown>>) {
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    {
      arbitrary: fc
        .tuple(
          fc.oneof(fc.constantFrom(...types), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
          fc.record(fields, { requiredKeys: [] }),
          fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
        )
        .map(([type, known, extra]) => ({ ...extra, ...known, type })),
      weight: 4,
    },
  );
}

const numberish = fc.oneof(
  fc.integer({ min: -10, max: 70_000 }),
  fc.double(),
  fc.constantFrom(false, true, null, '100', 1e9, -0),
);

describe('/v1/listen control message fuzz', () => {
  it('accepted messages carry only valid keyterms and endpointing', () => {
    fc.assert(
      fc.property(
        messageArb(['KeepAlive', 'Finalize', 'CloseStream', 'Configure'], {
          keyterm: fc.oneof(fc.array(anyString, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
          endpointing: numberish,
          channel: numberish,
        }),
        (message) => {
          // What the route does: JSON text in, then the schema.
          const parsed = listenClientMessageSchema.safeParse(JSON.parse(JSON.stringify(message) ?? 'null'));
          if (!parsed.success) {
            expectCodedRefusal(parsed.error, 'message');
            return;
          }
          const m = parsed.data;
          if (m.type !== 'Configure') return;
          for (const t of m.keyterm ?? []) expect(t.length >= 1 && t.length <= 200).toBe(true);
          if (m.endpointing !== undefined && m.endpointing !== false) {
            expect(isInt(m.endpointing, 10, 60_000)).toBe(true);
          }
          mergeEndpointConfig(endpointingOverrides(m.endpointing) ?? {});
          m.keyterm?.map(parseKeyterm);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('Realtime event fuzz', () => {
  const engine: EngineDescription = {
    primary: {
      id: 'nemo-streaming-hybrid',
      family: 'nemo',
      mode: 'streaming',
      sampleRate: MODEL_RATE,
      provider: 'cpu',
      featurePreset: 'nemo',
      decoders: ['ctc', 'rnnt'],
      lookaheads: [0],
      secondsPerFrame: 0.08,
    },
    secondPass: undefined,
    secondPassCombine: 'replace',
    providers: {},
  };
  const transcription = fc.record(
    {
      model: fc.oneof(anyString, fc.constantFrom('whisper-1', 'gpt-4o-transcribe', 'nemo-streaming-hybrid')),
      language: fc.oneof(anyString, fc.constant(null)),
      prompt: fc.oneof(anyString, fc.constant(null)),
      hotwords: fc.oneof(fc.array(anyString, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: [] },
  );
  const turnDetection = fc.oneof(
    fc.constant(null),
    fc.record(
      {
        type: fc.constantFrom('server_vad', 'semantic_vad', ''),
        threshold: numberish,
        prefix_padding_ms: numberish,
        silence_duration_ms: numberish,
      },
      { requiredKeys: [] },
    ),
  );
  const rate = fc.oneof(
    fc.constantFrom(8000, 16000, 24000, 44100, 48000, 191_999, 192_000, 192_001, 7999, 24000.5),
    fc.integer({ min: 8000, max: 192_000 }),
  );
  const format = fc.oneof(
    fc.record(
      { type: fc.constantFrom('audio/pcm', 'audio/pcmu', 'audio/pcma', 'audio/opus'), rate },
      {
        requiredKeys: [],
      },
    ),
    fc.jsonValue({ maxDepth: 1 }),
  );
  const session = fc.oneof(
    fc.record(
      {
        input_audio_format: fc.constantFrom('pcm16', 'g711_ulaw', 'g711_alaw', 'opus'),
        input_audio_transcription: fc.oneof(transcription, fc.constant(null)),
        turn_detection: turnDetection,
        type: fc.constantFrom('transcription', 'realtime'),
        audio: fc.record(
          {
            input: fc.record({ format, transcription, turn_detection: turnDetection }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const events = messageArb(Object.keys(realtimeClientEventSchemas), {
    event_id: fc.oneof(anyString, fc.jsonValue({ maxDepth: 0 })),
    session,
    audio: fc.oneof(fc.base64String({ maxLength: 40 }), anyString),
  });

  it('every event is refused with a named field, or applies to the session without throwing', () => {
    fc.assert(
      fc.property(fc.array(events, { minLength: 1, maxLength: 4 }), (sequence) => {
        let config = defaultSessionConfig(engine.primary.id);
        for (const raw of sequence) {
          const value = JSON.parse(JSON.stringify(raw) ?? 'null') as unknown;
          const envelope = eventEnvelopeSchema.safeParse(value);
          if (!envelope.success) {
            expectCodedRefusal(envelope.error, 'event');
            continue;
          }
          const type = envelope.data.type;
          if (!isClientEventType(type)) continue;
          const event = realtimeClientEventSchemas[type].safeParse(value);
          if (!event.success) {
            expectCodedRefusal(event.error, 'event');
            continue;
          }
          const data = event.data as { session?: unknown; audio?: string };
          if (type === 'input_audio_buffer.append') {
            expect(typeof data.audio).toBe('string');
            Buffer.from(data.audio!, 'base64');
            continue;
          }
          if (type !== 'transcription_session.update' && type !== 'session.update') continue;
          const update =
            type === 'session.update'
              ? gaUpdate(data.session as Parameters<typeof gaUpdate>[0])
              : betaUpdate(data.session as Parameters<typeof betaUpdate>[0]);
          const model = update.transcription?.model;
          if (model !== undefined) resolveModel(model, engine);
          config = applyUpdate(config, update);
          const live = liveFormat(config.format);
          expect(isInt(live.sampleRate, 8000, 192_000)).toBe(true);
          expectAudioInput(live);
          mergeEndpointConfig(endpointFor(config.turnDetection));
          if (config.turnDetection !== null) {
            expect(isInt(config.turnDetection.silence_duration_ms, 10, 60_000)).toBe(true);
          }
          for (const h of config.transcription.hotwords ?? []) parseKeyterm(h);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('query parameters: accepted ones are a transcription intent with valid extensions', () => {
    fc.assert(
      fc.property(queryArb(['intent', 'model', 'lookahead', 'decoder', 'two_pass', 'token']), (query) => {
        const parsed = realtimeQuerySchema.safeParse(query);
        if (!parsed.success) {
          expectCodedRefusal(parsed.error, 'query');
          return;
        }
        const q = parsed.data;
        expect([undefined, 'transcription']).toContain(q.intent);
        if (q.lookahead !== undefined) expect(isInt(q.lookahead, 0, 64)).toBe(true);
        expect(typeof q.two_pass).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
  });
});

describe('/v1/audio/transcriptions form field fuzz', () => {
  const keys = [
    'model',
    'language',
    'prompt',
    'response_format',
    'temperature',
    'timestamp_granularities[]',
    'timestamp_granularities',
    'stream',
    'two_pass',
    'lookahead',
    'decoder',
    'hotwords',
    'hotwords[]',
  ];

  it('accepted fields are in range; model names resolve without touching the file system', () => {
    const engine = {
      primary: { id: 'nemo-streaming-hybrid' },
      secondPass: { id: 'paraformer-offline' },
    } as unknown as EngineDescription;
    fc.assert(
      fc.property(queryArb(keys), (fields) => {
        const parsed = transcriptionFieldsSchema.safeParse(fields);
        if (!parsed.success) {
          expectCodedRefusal(parsed.error, 'form');
          return;
        }
        const f = parsed.data;
        expect(['json', 'text', 'srt', 'vtt', 'verbose_json']).toContain(f.response_format);
        if (f.temperature !== undefined) expect(f.temperature >= 0 && f.temperature <= 1).toBe(true);
        if (f.lookahead !== undefined) expect(isInt(f.lookahead, 0, 64)).toBe(true);
        for (const list of [f.hotwords, f['hotwords[]']]) {
          if (list === undefined) continue;
          expect(list.length).toBeLessThanOrEqual(100);
          list.map(parseKeyterm);
        }
        for (const g of granularities(f)) expect(['word', 'segment']).toContain(g);
        const model = resolveModel(f.model, engine);
        // Only the loaded models' ids and OpenAI's aliases name a model: never a path.
        if (model !== undefined && f.model !== undefined) {
          expect(f.model).not.toMatch(/[/\\]|\.\./);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('model names that look like paths are never resolved', () => {
    const engine = {
      primary: { id: 'nemo-streaming-hybrid' },
      secondPass: undefined,
    } as unknown as EngineDescription;
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom('..', '.', 'nemo-streaming-hybrid', 'whisper-1', 'etc', 'passwd', '%2e%2e'),
          {
            minLength: 2,
            maxLength: 5,
          },
        ),
        fc.constantFrom('/', '\\'),
        (parts, sep) => {
          expect(resolveModel(parts.join(sep), engine)).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });
});

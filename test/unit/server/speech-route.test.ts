// POST /v1/audio/speech, GET /v1/audio/voices and the TTS entries of /v1/models on the real
// server with a TTS worker on the random-weight fixtures: every format is well-formed audio,
// pcm matches the in-process synthesizer sample for sample, SSE follows OpenAI's event
// sequence, audio streams before the synthesis ends, and every refusal is a coded error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpeechModel } from '../../../models/tts/load-speech-model.js';
import { speechSseEventSchema } from '../../../server/protocol/speech-protocol.js';
import { toPcm16 } from '../../../server/tts/speech-encoding.js';
import type { SpeechReport } from '../../../server/tts/speech-stream.js';
import { WavParser } from '../../../streaming/audio/index.js';
import type { SpeechSynthesizer } from '../../../tts/speech/speech-synthesizer.js';
import {
  arditDir,
  concatBytes,
  type ErrorBody,
  ffmpegDecode,
  ffprobe,
  MEDIUM_TEXT,
  readChunks,
  type SpeechHarness,
  speak,
  startSpeechServer,
} from './speech-harness.js';

const TEXT = 'Hello there. This is a test of the speech server, with two sentences.';

let server: SpeechHarness;
let local: SpeechSynthesizer;

beforeAll(async () => {
  [server, local] = await Promise.all([
    startSpeechServer({ corsOrigins: ['https://app.example'] }),
    loadSpeechModel(arditDir, { session: { intraOpThreads: 1 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), local?.close()]);
});

const references = new Map<string, Promise<Uint8Array>>();

/** The in-process synthesizer's s16le bytes for the same request. */
function referencePcm(text: string, seed: number): Promise<Uint8Array> {
  const key = `${seed}:${text}`;
  let pcm = references.get(key);
  if (pcm === undefined) {
    pcm = (async () => {
      const parts: Uint8Array[] = [];
      for await (const c of local.speak({ text, seed })) parts.push(toPcm16(c.samples));
      return concatBytes(parts);
    })();
    references.set(key, pcm);
  }
  return pcm;
}

function parseSse(text: string): unknown[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .trim()
    .split('\n\n')
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return speechSseEventSchema.parse(JSON.parse(block.slice('data: '.length)));
    });
}

describe('POST /v1/audio/speech formats', () => {
  it('pcm: raw s16le at X-Sample-Rate, equal to the in-process synthesizer for the same seed', async () => {
    const res = await speak(server.http, { input: TEXT, response_format: 'pcm', seed: 11 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/pcm');
    expect(res.headers.get('x-sample-rate')).toBe('16000');
    expect(res.headers.get('x-speech-model')).toBe('ardit-tiny');
    expect(res.headers.get('x-speech-voice')).toBe('default');
    expect(res.headers.get('x-speech-provider')).toBe('cpu');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length % 2).toBe(0);
    const expected = await referencePcm(TEXT, 11);
    expect(bytes.length).toBe(expected.length);
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('wav: a streamed header (0xFFFFFFFF sizes) then s16le mono 16 kHz', async () => {
    const res = await speak(server.http, { input: TEXT, response_format: 'wav', seed: 11 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const view = new DataView(bytes.buffer);
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(0xffffffff);
    const parser = new WavParser();
    parser.push(bytes);
    expect(parser.format).toMatchObject({
      sampleRate: 16000,
      channels: 1,
      encoding: 'pcm16',
      dataBytes: undefined,
    });
    expect(parser.frames).toBeGreaterThan(0);
    const pcm = await referencePcm(TEXT, 11);
    expect(bytes.length - 44).toBe(pcm.length);
  });

  for (const [format, contentType, codec] of [
    ['mp3', 'audio/mpeg', 'mp3'],
    ['opus', 'audio/ogg; codecs=opus', 'opus'],
    ['aac', 'audio/aac', 'aac'],
    ['flac', 'audio/flac', 'flac'],
  ] as const) {
    it(`${format}: ffmpeg-encoded, decodable, about as long as the speech`, async () => {
      const res = await speak(server.http, { input: TEXT, response_format: format, seed: 11 });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(contentType);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.length).toBeGreaterThan(100);
      const probed = ffprobe(bytes);
      if (probed === undefined) return; // no ffprobe on this machine
      expect(probed.ok, probed.stderr).toBe(true);
      expect(probed.codec).toBe(codec);
      expect(probed.channels).toBe(1);
      const decoded = ffmpegDecode(bytes)!;
      expect(decoded.ok, decoded.stderr).toBe(true);
      const expectedSamples = (await referencePcm(TEXT, 11)).length / 2;
      // Codec priming and padding add or drop a few frames; the length is the speech's.
      expect(Math.abs(decoded.samples - expectedSamples)).toBeLessThan(4000);
    });
  }

  it('defaults to mp3 like OpenAI; the OpenAI model and voice names mean the default model and voice', async () => {
    const res = await speak(server.http, { model: 'tts-1', input: 'Hi.', voice: 'alloy' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('x-speech-model')).toBe('ardit-tiny');
    expect(res.headers.get('x-speech-voice')).toBe('default');
    await res.arrayBuffer();
    for (const model of ['gpt-4o-mini-tts', 'tts-1-hd']) {
      const r = await speak(server.http, {
        model,
        input: 'Hi.',
        voice: 'shimmer',
        response_format: 'pcm',
        instructions: 'Speak cheerfully.',
      });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  });

  it('a voice of another model selects that model (MaskGCT voice "probe")', async () => {
    const res = await speak(server.http, { input: TEXT, voice: 'probe', response_format: 'pcm' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-speech-model')).toBe('maskgct-tiny');
    expect(res.headers.get('x-speech-voice')).toBe('probe');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(16000);
    const byModel = await speak(server.http, { model: 'maskgct-tiny', input: 'Hi.', response_format: 'pcm' });
    expect(byModel.headers.get('x-speech-voice')).toBe('probe');
    await byModel.arrayBuffer();
  });

  it('speed changes the length, seed changes the audio', async () => {
    const pcm = async (body: object) =>
      Buffer.from(
        await (await speak(server.http, { input: TEXT, response_format: 'pcm', ...body })).arrayBuffer(),
      );
    const normal = await pcm({ seed: 1 });
    const fast = await pcm({ seed: 1, speed: 2 });
    const other = await pcm({ seed: 2 });
    expect(fast.length).toBeLessThan(normal.length * 0.8);
    expect(other.equals(normal)).toBe(false);
  });
});

describe('streaming', () => {
  it('sends the first audio before the synthesis ends, in many chunks', async () => {
    let endedAt = Number.POSITIVE_INFINITY;
    let report: SpeechReport | undefined;
    const off = server.tts!.onEnded((r) => {
      endedAt = performance.now();
      report = r;
    });
    try {
      const res = await speak(server.http, { input: MEDIUM_TEXT, response_format: 'pcm' });
      expect(res.status).toBe(200);
      const { chunks, at } = await readChunks(res);
      expect(report?.outcome).toBe('done');
      expect(chunks.length).toBeGreaterThan(5);
      // The first bytes were here while the worker was still generating.
      expect(at[0]!).toBeLessThan(endedAt);
      expect(concatBytes(chunks).length).toBe(report!.samples * 2);
    } finally {
      off();
    }
  });

  it('SSE: speech.audio.delta events (base64 s16le for pcm) then speech.audio.done with usage', async () => {
    const res = await speak(server.http, {
      input: TEXT,
      response_format: 'pcm',
      stream_format: 'sse',
      seed: 11,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parseSse(await res.text()) as {
      type: string;
      audio?: string;
      usage?: Record<string, number>;
    }[];
    expect(events.length).toBeGreaterThan(2);
    const last = events.pop()!;
    expect(events.every((e) => e.type === 'speech.audio.delta')).toBe(true);
    expect(last.type).toBe('speech.audio.done');
    const audio = concatBytes(events.map((e) => new Uint8Array(Buffer.from(e.audio!, 'base64'))));
    expect(Buffer.from(audio).equals(Buffer.from(await referencePcm(TEXT, 11)))).toBe(true);
    expect(last.usage).toEqual({
      input_tokens: [...TEXT].length,
      output_tokens: Math.ceil(audio.length / 2 / 320),
      total_tokens: [...TEXT].length + Math.ceil(audio.length / 2 / 320),
    });
  });

  it('SSE with wav carries s16le (no header); with mp3 the deltas concatenate to a decodable mp3', async () => {
    const wav = await speak(server.http, {
      input: TEXT,
      response_format: 'wav',
      stream_format: 'sse',
      seed: 11,
    });
    const wavEvents = parseSse(await wav.text()) as { type: string; audio?: string }[];
    const first = Buffer.from(wavEvents[0]!.audio!, 'base64');
    expect(first.subarray(0, 4).toString()).not.toBe('RIFF');
    const mp3 = await speak(server.http, { input: TEXT, response_format: 'mp3', stream_format: 'sse' });
    const mp3Events = parseSse(await mp3.text()) as { type: string; audio?: string }[];
    expect(mp3Events.at(-1)!.type).toBe('speech.audio.done');
    const bytes = concatBytes(
      mp3Events
        .filter((e) => e.type === 'speech.audio.delta')
        .map((e) => new Uint8Array(Buffer.from(e.audio!, 'base64'))),
    );
    const probed = ffprobe(bytes);
    if (probed !== undefined) expect(probed.codec).toBe('mp3');
  });
});

describe('refusals are coded errors', () => {
  const cases: [string, unknown, number, string][] = [
    ['empty input', { input: '' }, 400, 'TTS_INPUT_INVALID'],
    ['blank input', { input: '  \n ' }, 400, 'TTS_INPUT_INVALID'],
    ['nothing pronounceable', { input: '!!! ...', response_format: 'wav' }, 400, 'TTS_INPUT_INVALID'],
    ['too long', { input: 'a'.repeat(4097) }, 413, 'LIMIT_TEXT_TOO_LONG'],
    ['missing input', { voice: 'alloy' }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['input not a string', { input: 42 }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['unknown voice', { input: 'Hi.', voice: 'zelda' }, 400, 'TTS_VOICE_UNKNOWN'],
    [
      'voice of another model',
      { input: 'Hi.', model: 'ardit-tiny', voice: 'probe' },
      400,
      'TTS_VOICE_UNKNOWN',
    ],
    ['bad format', { input: 'Hi.', response_format: 'ogg' }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['bad stream format', { input: 'Hi.', stream_format: 'chunks' }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['speed too high', { input: 'Hi.', speed: 4.5 }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['speed too low', { input: 'Hi.', speed: 0.1 }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['speed as string', { input: 'Hi.', speed: 'fast' }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['fractional seed', { input: 'Hi.', seed: 1.5 }, 400, 'PROTOCOL_BAD_PARAMS'],
    ['unknown model', { input: 'Hi.', model: 'whisper-tts-9000' }, 404, 'MODEL_NOT_FOUND'],
    ['malformed JSON', '{"input": "Hi', 400, 'PROTOCOL_BAD_PARAMS'],
    ['JSON array', '[1, 2]', 400, 'PROTOCOL_BAD_PARAMS'],
    ['JSON null', 'null', 400, 'PROTOCOL_BAD_PARAMS'],
  ];
  for (const [name, body, status, code] of cases) {
    it(`${name} -> ${status} ${code}`, async () => {
      const res = await speak(server.http, body);
      expect(res.status).toBe(status);
      const json = (await res.json()) as ErrorBody;
      expect(json.error.code).toBe(code);
      expect(json.error.message.length).toBeGreaterThan(0);
    });
  }

  it('an unknown voice lists the voices there are', async () => {
    const json = (await (await speak(server.http, { input: 'Hi.', voice: 'zelda' })).json()) as ErrorBody;
    expect(json.error.details?.voices).toEqual(['default', 'probe']);
  });

  it('a body that is not JSON at all is a coded 4xx', async () => {
    const res = await fetch(`${server.http}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'say hello',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('PROTOCOL_BAD_PARAMS');
  });

  it('nothing is left generating after the refusals', async () => {
    expect(server.tts!.active).toBe(0);
  });
});

describe('voices, models, health, metrics, CORS', () => {
  it('GET /v1/audio/voices lists every voice, exactly one default', async () => {
    const res = await fetch(`${server.http}/v1/audio/voices`);
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      voices: { id: string; name: string; model: string; family: string; default: boolean }[];
      models: { id: string; default_voice: string }[];
      openai_voice_aliases: string[];
    };
    expect(json.voices).toEqual([
      { id: 'default', name: 'default', model: 'ardit-tiny', family: 'ardit-tts', default: true },
      { id: 'probe', name: 'probe', model: 'maskgct-tiny', family: 'maskgct-tts', default: false },
    ]);
    expect(json.models.map((m) => [m.id, m.default_voice])).toEqual([
      ['ardit-tiny', 'default'],
      ['maskgct-tiny', 'probe'],
    ]);
    expect(json.openai_voice_aliases).toContain('alloy');
  });

  it('GET /v1/models lists the loaded speech models with task tts and their family', async () => {
    const json = (await (await fetch(`${server.http}/v1/models`)).json()) as {
      data: { id: string; task: string; family: string; voices?: string[] }[];
    };
    expect(json.data.filter((m) => m.task === 'asr')).toHaveLength(1);
    expect(json.data.filter((m) => m.task === 'tts').map((m) => [m.id, m.family, m.voices])).toEqual([
      ['ardit-tiny', 'ardit-tts', ['default']],
      ['maskgct-tiny', 'maskgct-tts', ['probe']],
    ]);
  });

  it('/health reports the speech models; /metrics has the tts series', async () => {
    const health = (await (await fetch(`${server.http}/health`)).json()) as {
      tts: { models: { id: string }[]; active: number };
      engine_workers: number;
    };
    expect(health.tts.models.map((m) => m.id)).toEqual(['ardit-tiny', 'maskgct-tiny']);
    expect(health.engine_workers).toBe(1);
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metrics).toMatch(/speechstream_tts_requests_total\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/speechstream_tts_requests_total\{outcome="rejected"\} [1-9]/);
    expect(metrics).toMatch(/speechstream_tts_first_audio_seconds_count [1-9]/);
    expect(metrics).toMatch(/speechstream_tts_audio_seconds_total [0-9.]*[1-9]/);
    expect(metrics).toContain('speechstream_tts_syntheses{state="active"} 0');
  });

  it('a cross-origin page may read X-Sample-Rate and the speech headers', async () => {
    const res = await speak(
      server.http,
      { input: 'Hi.', response_format: 'pcm' },
      { headers: { origin: 'https://app.example' } },
    );
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Sample-Rate');
    await res.arrayBuffer();
  });
});

// The TTS worker and its client: models load in the worker, chunks come back by credit, a
// consumer that stops pulling stops generation, cancellation ends a synthesis before its
// next model call, a synthesis that throws fails only its own request, and stop() releases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { loadSpeechModel } from '../../../models/tts/load-speech-model.js';
import type { SpeechReport } from '../../../server/tts/speech-stream.js';
import { TtsClient } from '../../../server/tts/tts-client.js';
import { arditDir, LONG_TEXT, maskgctDir, until } from './speech-harness.js';

const TEXT = 'Hello there. This is a test of the speech worker, with two sentences.';
const CREDITS = 2;

async function collect(stream: AsyncIterable<Float32Array>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe('TtsClient + tts-worker on the fixtures', () => {
  let client: TtsClient;
  const reports: SpeechReport[] = [];

  beforeAll(async () => {
    client = await TtsClient.start({
      models: [arditDir, maskgctDir],
      provider: 'cpu',
      threads: 1,
      concurrency: 2,
      queue: 2,
      credits: CREDITS,
      faults: { textContains: 'BREAK', afterChunks: 1 },
    });
    client.onEnded((r) => reports.push(r));
  });
  afterAll(async () => {
    await client?.stop();
  });

  it('describes the loaded models, first one the default', () => {
    expect(client.models.map((m) => [m.id, m.family, m.voices, m.defaultVoice, m.sampleRate])).toEqual([
      ['ardit-tiny', 'ardit-tts', ['default'], 'default', 16000],
      ['maskgct-tiny', 'maskgct-tts', ['probe'], 'probe', 16000],
    ]);
    expect(client.defaultModel.id).toBe('ardit-tiny');
    expect(client.models.every((m) => m.provider === 'cpu')).toBe(true);
  });

  it('gives the same audio as the in-process synthesizer for the same seed, for both families', async () => {
    for (const [dir, voice] of [
      [arditDir, 'default'],
      [maskgctDir, 'probe'],
    ] as const) {
      const local = await loadSpeechModel(dir, { session: { intraOpThreads: 1 } });
      try {
        const expected: Float32Array[] = [];
        for await (const c of local.speak({ text: TEXT, voice, seed: 7 })) expected.push(c.samples);
        const stream = await client.speak({ model: local.id, text: TEXT, voice, seed: 7 });
        const got = await collect(stream);
        const report = await stream.finished;
        expect(report).toMatchObject({ outcome: 'done', chunks: got.length, model: local.id, voice });
        expect(got.map((c) => c.length)).toEqual(expected.map((c) => c.length));
        const flat = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));
        expect(flat(got)).toEqual(flat(expected));
      } finally {
        await local.close();
      }
    }
    expect(client.active).toBe(0);
  });

  it('stops generating when the consumer stops pulling (credit), and goes on when it pulls again', async () => {
    const stream = await client.speak({ model: 'ardit-tiny', text: LONG_TEXT, voice: 'default' });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    // The worker may send at most CREDITS chunks beyond what was taken; give it time to overrun.
    await new Promise((r) => setTimeout(r, 400));
    const held = (stream as unknown as { samplesTaken: number }).samplesTaken;
    expect(stream.ended).toBe(false);
    let more = 0;
    for (let i = 0; i < CREDITS; i++) {
      const r = await it.next();
      if (!r.done) more++;
    }
    expect(more).toBe(CREDITS);
    expect(stream.samplesTaken).toBeGreaterThan(held);
    stream.cancel();
    const report = await stream.finished;
    expect(report.outcome).toBe('cancelled');
    // One taken, CREDITS more taken, at most CREDITS in flight: nothing ran ahead.
    expect(report.chunks).toBeLessThanOrEqual(1 + 2 * CREDITS);
  });

  it('cancelling (or aborting the signal) ends the synthesis in the worker, which reports it', async () => {
    const abort = new AbortController();
    const stream = await client.speak(
      { model: 'ardit-tiny', text: LONG_TEXT, voice: 'default' },
      abort.signal,
    );
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    const reason = new Error('client gone');
    abort.abort(reason);
    expect(await it.next().catch((e: unknown) => e)).toBe(reason);
    const report = await stream.finished;
    expect(report.outcome).toBe('cancelled');
    expect(report.chunks).toBeLessThan(10);
    await until(() => client.active === 0);
  });

  it('a synthesis that throws fails its own request only; the worker goes on', async () => {
    const broken = await client.speak({ model: 'ardit-tiny', text: `BREAK ${TEXT}`, voice: 'default' });
    const healthy = await client.speak({ model: 'maskgct-tiny', text: TEXT, voice: 'probe' });
    const got: Float32Array[] = [];
    const failure = await (async () => {
      for await (const c of broken) got.push(c);
    })().catch((e: unknown) => e);
    expect(got.length).toBe(1);
    expect(isSpeechError(failure, 'MODEL_RUN_FAILED')).toBe(true);
    expect((await broken.finished).outcome).toBe('failed');
    expect((await collect(healthy)).length).toBeGreaterThan(0);
    expect((await healthy.finished).outcome).toBe('done');
    const after = await client.speak({ model: 'ardit-tiny', text: TEXT, voice: 'default' });
    expect((await collect(after)).length).toBeGreaterThan(0);
  });

  it("refuses what the model refuses (speak's own checks) with its coded error, before any audio", async () => {
    for (const [job, code] of [
      [{ model: 'ardit-tiny', text: '!!! ...', voice: 'default' }, 'TTS_INPUT_INVALID'],
      [{ model: 'ardit-tiny', text: TEXT, voice: 'nobody' }, 'TTS_VOICE_UNKNOWN'],
      [{ model: 'ardit-tiny', text: TEXT, voice: 'default', speed: 9 }, 'CONFIG_INVALID'],
    ] as const) {
      const stream = await client.speak(job);
      const err = await stream.next().catch((e: unknown) => e);
      expect(isSpeechError(err, code)).toBe(true);
      expect((await stream.finished).chunks).toBe(0);
    }
    expect(
      isSpeechError(
        await client.speak({ model: 'nope', text: TEXT, voice: 'x' }).catch((e) => e),
        'MODEL_NOT_FOUND',
      ),
    ).toBe(true);
  });

  it('every synthesis it started has ended (no leak)', async () => {
    await until(() => client.active === 0 && client.waiting === 0);
    expect(reports.every((r) => ['done', 'cancelled', 'failed'].includes(r.outcome))).toBe(true);
    expect(new Set(reports.map((r) => r.id)).size).toBe(reports.length);
  });
});

describe('TtsClient start and stop', () => {
  it('a model that does not load is a coded start-up error, and nothing is left running', async () => {
    const err = await TtsClient.start({
      models: ['/nonexistent/tts-model'],
      provider: 'cpu',
      threads: 1,
      concurrency: 1,
      queue: 1,
    }).catch((e: unknown) => e);
    expect(isSpeechError(err)).toBe(true);
    expect(['MODEL_NOT_FOUND', 'MODEL_MANIFEST_INVALID']).toContain((err as { code: string }).code);
  });

  it('stop() cancels what runs, releases the models and refuses new work', async () => {
    const client = await TtsClient.start({
      models: [arditDir],
      provider: 'cpu',
      threads: 1,
      concurrency: 1,
      queue: 1,
    });
    const running = await client.speak({ model: 'ardit-tiny', text: LONG_TEXT, voice: 'default' });
    await running.next();
    await client.stop();
    expect((await running.finished).outcome).toBe('cancelled');
    expect(
      isSpeechError(
        await client.speak({ model: 'ardit-tiny', text: TEXT, voice: 'default' }).catch((e) => e),
        'SERVER_SHUTTING_DOWN',
      ),
    ).toBe(true);
    await client.stop();
  });
});

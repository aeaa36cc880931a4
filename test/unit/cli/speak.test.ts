// `speechstream speak` in-process with the random-weight TTS fixtures: the WAV it writes is
// valid and holds exactly what the synthesizer makes for the same seed; pcm, stdin, the
// voice list, the --json summary, and mp3/flac through ffmpeg that decode back.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll, float32ToInt16, readWav } from '../../../streaming/audio/index.js';
import { runCli } from './helpers.js';
import { ardit, int16s, maskgct, referenceSpeech, wavFields } from './speak-helpers.js';

const TEXT = 'Hello world. This is a test.';
const SEED = 3;

describe('speechstream speak', () => {
  let dir: string;
  let reference: Int16Array;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'speechstream-speak-'));
    reference = await referenceSpeech(ardit, TEXT, { seed: SEED });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a WAV with final sizes holding the same samples as in-process synthesis', async () => {
    const out = path.join(dir, 'hello.wav');
    const run = await runCli(['speak', TEXT, '--model', ardit, '--seed', String(SEED), '-o', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const bytes = new Uint8Array(readFileSync(out));
    const header = wavFields(bytes);
    expect(header).toEqual({
      riff: 'RIFF',
      riffSize: bytes.length - 8,
      wave: 'WAVE',
      formatTag: 1,
      channels: 1,
      sampleRate: 16000,
      bits: 16,
      data: 'data',
      dataSize: bytes.length - 44,
    });
    const wav = readWav(bytes);
    expect(wav.truncated).toBe(false);
    expect(wav.channels[0]!.length).toBe(reference.length);
    expect(reference.length).toBeGreaterThan(16000 * 0.5);
    expect(float32ToInt16(wav.channels[0]!)).toEqual(reference);
  });

  it('writes raw s16le for -f pcm and for a .pcm name, and reads the text from stdin', async () => {
    const named = path.join(dir, 'hello.pcm');
    const a = await runCli(['speak', TEXT, '-m', ardit, '--seed', String(SEED), '-o', named]);
    expect(a.code).toBe(0);
    expect(int16s(new Uint8Array(readFileSync(named)))).toEqual(reference);

    // No argument, stdin not a terminal: the text comes from stdin (a trailing newline is trimmed).
    const flagged = path.join(dir, 'stdin.out');
    const b = await runCli(['speak', '-m', ardit, '--seed', String(SEED), '-f', 'pcm', '-o', flagged], {
      stdin: Readable.from([Buffer.from(`${TEXT.slice(0, 10)}`), Buffer.from(`${TEXT.slice(10)}\n`)]),
    });
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(int16s(new Uint8Array(readFileSync(flagged)))).toEqual(reference);

    // '-' says stdin explicitly.
    const dash = path.join(dir, 'dash.wav');
    const c = await runCli(['speak', '-', '-m', ardit, '--seed', String(SEED), '-o', dash], {
      stdin: Readable.from([TEXT]),
    });
    expect(c.code).toBe(0);
    expect(float32ToInt16(readWav(new Uint8Array(readFileSync(dash))).channels[0]!)).toEqual(reference);
  });

  it('passes the seed and speed through: another seed or speed gives other audio', async () => {
    const out = path.join(dir, 'fast.pcm');
    const run = await runCli([
      'speak',
      TEXT,
      '-m',
      ardit,
      '--seed',
      String(SEED),
      '--speed',
      '1.5',
      '-o',
      out,
    ]);
    expect(run.code).toBe(0);
    const fast = int16s(new Uint8Array(readFileSync(out)));
    expect(fast).toEqual(await referenceSpeech(ardit, TEXT, { seed: SEED, speed: 1.5 }));
    expect(fast.length).toBeLessThan(reference.length);
  });

  it('lists the voices of a model, as text and as the JSON of GET /v1/audio/voices', async () => {
    const text = await runCli(['speak', '--voices', '-m', maskgct]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('probe (default)\n');
    const json = await runCli(['speak', '--voices', '--json', '-m', ardit]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      voices: [{ id: 'default', name: 'default', model: 'ardit-tiny', family: 'ardit-tts', default: true }],
    });
  });

  it('--json prints a summary of the run', async () => {
    const out = path.join(dir, 'summary.wav');
    const run = await runCli(['speak', TEXT, '-m', ardit, '--seed', String(SEED), '-o', out, '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      model: 'ardit-tiny',
      family: 'ardit-tts',
      voice: 'default',
      provider: 'cpu',
      output: out,
      format: 'wav',
      play: false,
      sampleRate: 16000,
      samples: reference.length,
      seconds: Number((reference.length / 16000).toFixed(3)),
      interrupted: false,
    });
    expect(summary.firstAudioMs).toBeGreaterThan(0);
    expect(summary.firstAudioMs).toBeLessThanOrEqual(summary.synthesisMs);
    expect(summary.realTimeFactor).toBeCloseTo(summary.synthesisMs / 1000 / summary.seconds, 3);
  });

  it('speaks with the MaskGCT fixture and its named voice', async () => {
    const out = path.join(dir, 'probe.wav');
    const run = await runCli(['speak', 'Hello world.', '-m', maskgct, '--voice', 'probe', '-o', out]);
    expect(run.code).toBe(0);
    const samples = float32ToInt16(readWav(new Uint8Array(readFileSync(out))).channels[0]!);
    expect(samples).toEqual(await referenceSpeech(maskgct, 'Hello world.', { voice: 'probe' }));
  });

  it('encodes flac (lossless: the same samples) and mp3 through ffmpeg, decodable back', async () => {
    const flac = path.join(dir, 'hello.flac');
    const a = await runCli(['speak', TEXT, '-m', ardit, '--seed', String(SEED), '-o', flac]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(readFileSync(flac).subarray(0, 4).toString('latin1')).toBe('fLaC');
    expect(float32ToInt16(await decodeAll(flac, { sampleRate: 16000 }))).toEqual(reference);

    // --format wins over the extension; mp3 adds encoder delay and padding, not seconds.
    const mp3 = path.join(dir, 'hello.bin');
    const b = await runCli(['speak', TEXT, '-m', ardit, '--seed', String(SEED), '-f', 'mp3', '-o', mp3]);
    expect(b.code).toBe(0);
    const decoded = await decodeAll(mp3, { sampleRate: 16000 });
    expect(Math.abs(decoded.length - reference.length)).toBeLessThan(16000 * 0.15);
  });

  it('encodes opus and aac too', async () => {
    for (const name of ['hello.opus', 'hello.aac']) {
      const out = path.join(dir, name);
      const run = await runCli(['speak', TEXT, '-m', ardit, '--seed', String(SEED), '-o', out]);
      expect(run.code, run.stderr).toBe(0);
      const decoded = await decodeAll(out, { sampleRate: 16000 });
      expect(Math.abs(decoded.length - reference.length), name).toBeLessThan(16000 * 0.15);
    }
    expect(existsSync(path.join(dir, 'hello.opus'))).toBe(true);
  });
});

// `speechstream speak` as a stream: `-o -` writes a WAV with "until end of stream" sizes (or
// an encoded stream) to stdout as it is made, --play feeds a player on stdin, and Ctrl-C
// stops generation leaving a valid file of what was made and exit status 130.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_EXIT, runSpeak } from '../../../server/commands/speak-command.js';
import { decodeAll, float32ToInt16, readWav } from '../../../streaming/audio/index.js';
import { testIo } from './helpers.js';
import { ardit, capturedStdout, int16s, referenceSpeech, wavFields } from './speak-helpers.js';

const TEXT = 'Hello world. This is a test.';
const SEED = 5;
/** Long enough (minutes of audio, under the 4096-character limit) that there is time to interrupt it. */
const LONG_TEXT = Array.from(
  { length: 80 },
  (_, i) => `This is sentence number ${i + 1} of a long text.`,
).join(' ');

describe('speechstream speak streaming', () => {
  let dir: string;
  let reference: Int16Array;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'speechstream-speak-stream-'));
    reference = await referenceSpeech(ardit, TEXT, { seed: SEED });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('-o - writes a streamed WAV to stdout and the --json summary to stderr', async () => {
    const io = testIo();
    const stdout = capturedStdout();
    await runSpeak(TEXT, { model: ardit, seed: String(SEED), output: '-', json: true }, io, {
      stdout: stdout.stream,
    });
    expect(io.exitCode).toBe(0);
    expect(io.out).toEqual([]);
    const bytes = stdout.bytes();
    const header = wavFields(bytes);
    expect(header.riffSize).toBe(0xffffffff);
    expect(header.dataSize).toBe(0xffffffff);
    expect(bytes.length).toBe(44 + reference.length * 2);
    expect(float32ToInt16(readWav(bytes).channels[0]!)).toEqual(reference);
    expect(JSON.parse(io.err.join(''))).toMatchObject({ output: '-', samples: reference.length });
  });

  it('with no -o and stdout not a terminal, the audio goes to stdout; -o - -f mp3 streams mp3', async () => {
    const io = testIo();
    const stdout = capturedStdout();
    await runSpeak(TEXT, { model: ardit, seed: String(SEED), format: 'pcm' }, io, { stdout: stdout.stream });
    expect(io.exitCode).toBe(0);
    expect(int16s(stdout.bytes())).toEqual(reference);

    const mp3 = capturedStdout();
    await runSpeak(TEXT, { model: ardit, seed: String(SEED), output: '-', format: 'mp3' }, testIo(), {
      stdout: mp3.stream,
    });
    const decoded = await decodeAll(Readable.from([Buffer.from(mp3.bytes())]), { sampleRate: 16000 });
    expect(Math.abs(decoded.length - reference.length)).toBeLessThan(16000 * 0.15);
  });

  it('--play streams s16le to the player found on PATH, alongside -o', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const played = path.join(dir, 'played.raw');
    // A stand-in for SoX's play that keeps what it would have played, and its arguments.
    writeFileSync(
      path.join(bin, 'play'),
      `#!/bin/sh\necho "$@" > '${played}.args'\nexec cat > '${played}'\n`,
    );
    chmodSync(path.join(bin, 'play'), 0o755);
    const out = path.join(dir, 'played.wav');
    const io = testIo({ env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
    await runSpeak(TEXT, { model: ardit, seed: String(SEED), play: true, output: out }, io);
    expect(io.err).toEqual([]);
    expect(io.exitCode).toBe(0);
    expect(int16s(new Uint8Array(readFileSync(played)))).toEqual(reference);
    expect(readFileSync(`${played}.args`, 'utf8').trim()).toBe(
      '-q -t raw -r 16000 -e signed-integer -b 16 -c 1 -L -',
    );
    expect(float32ToInt16(readWav(new Uint8Array(readFileSync(out))).channels[0]!)).toEqual(reference);
  });

  it('a player that fails is reported with its own words, and the file keeps what was made', async () => {
    const bin = path.join(dir, 'bad-bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'play'), '#!/bin/sh\necho "cannot open the default device" >&2\nexit 1\n');
    chmodSync(path.join(bin, 'play'), 0o755);
    const out = path.join(dir, 'bad-player.wav');
    const io = testIo({ env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
    const err = await runSpeak(TEXT, { model: ardit, play: true, output: out }, io).catch((e: unknown) => e);
    expect(String(err)).toMatch(/play.*cannot open the default device/);
    const wav = readWav(new Uint8Array(readFileSync(out)));
    expect(wav.truncated).toBe(false);
    expect(wavFields(new Uint8Array(readFileSync(out))).dataSize).toBe(wav.channels[0]!.length * 2);
  });

  it('Ctrl-C stops generation, patches the WAV sizes over what was made, and exits 130', async () => {
    const out = path.join(dir, 'interrupted.wav');
    const io = testIo();
    // Interrupt once audio has reached the file (as a person would, mid-speech).
    const watch = setInterval(() => {
      let size = 0;
      try {
        size = statSync(out).size;
      } catch {}
      if (size > 44 + 16000) {
        clearInterval(watch);
        for (const handler of io.interrupts) handler();
      }
    }, 5);
    try {
      await runSpeak(LONG_TEXT, { model: ardit, output: out, json: true }, io);
    } finally {
      clearInterval(watch);
    }
    expect(io.exitCode).toBe(INTERRUPTED_EXIT);
    expect(io.err.join('')).toMatch(/interrupted after [\d.]+ s of audio/);
    expect(io.interrupts.size).toBe(0);
    const summary = JSON.parse(io.out.join(''));
    expect(summary.interrupted).toBe(true);
    const bytes = new Uint8Array(readFileSync(out));
    const header = wavFields(bytes);
    expect(header.dataSize).toBe(bytes.length - 44);
    expect(header.riffSize).toBe(bytes.length - 8);
    expect(header.dataSize / 2).toBe(summary.samples);
    // 80 sentences are more than a minute of audio: generation stopped early.
    expect(summary.seconds).toBeGreaterThan(0.5);
    expect(summary.seconds).toBeLessThan(60);
  });

  it('Ctrl-C on a stream ends it cleanly after the chunk being written', async () => {
    const io = testIo();
    const stdout = capturedStdout();
    let fired = false;
    stdout.stream.on('data', () => {
      if (fired) return;
      fired = true;
      for (const handler of io.interrupts) handler();
    });
    await runSpeak(LONG_TEXT, { model: ardit, output: '-' }, io, { stdout: stdout.stream });
    expect(io.exitCode).toBe(INTERRUPTED_EXIT);
    const wav = readWav(stdout.bytes());
    expect(wav.channels[0]!.length).toBeGreaterThan(0);
    expect(wav.channels[0]!.length).toBeLessThan(16000 * 10);
  });
});

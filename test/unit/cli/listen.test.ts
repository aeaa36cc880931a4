// `speechstream listen` without a microphone: the PCM conversion and the terminal
// rendering as pure functions, the recorder lookup (a PATH without sox), and the whole
// command over an injected microphone, stopped by Ctrl-C.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { runListen } from '../../../server/commands/listen-command.js';
import { Linear16Decoder } from '../../../server/commands/listen-pcm.js';
import {
  findOnPath,
  type Microphone,
  pickRecorder,
  RECORDER_MISSING,
} from '../../../server/commands/listen-recorder.js';
import { clockTime, ListenRenderer } from '../../../server/output/listen-render.js';
import { float32ToInt16 } from '../../../streaming/audio/index.js';
import { clip16k } from '../asr/helpers/clips.js';
import { dataDir, runCli, testIo, zooDir } from './helpers.js';

describe('Linear16Decoder', () => {
  it('converts little-endian int16 to float and carries a split sample to the next chunk', () => {
    const values = [0, 1, -1, 32767, -32768, 12345, -2];
    const bytes = new Uint8Array(new Int16Array(values).buffer);
    const expected = values.map((v) => v / 32768);
    const decoder = new Linear16Decoder();
    const out: number[] = [];
    for (const [from, to] of [
      [0, 3],
      [3, 4],
      [4, 9],
      [9, 9],
      [9, 14],
    ] as const) {
      out.push(...decoder.push(bytes.subarray(from, to)));
    }
    expect(out).toEqual(expected);
    expect(decoder.pending).toBe(0);
    expect(decoder.push(new Uint8Array([7]))).toHaveLength(0);
    expect(decoder.pending).toBe(1);
  });
});

describe('ListenRenderer', () => {
  it('rewrites the partial in place on a terminal and replaces it with the final', () => {
    const r = new ListenRenderer({ tty: true, columns: 40 });
    expect(r.partial('one two', 1.5)).toBe('\r\x1b[K[00:01.50] one two');
    expect(r.partial('one two three', 1.5)).toBe('\r\x1b[K[00:01.50] one two three');
    expect(r.final('one two three', 1.6, 3.25)).toBe('\r\x1b[K[00:01.60 -> 00:03.25] one two three\n');
    // Nothing left to clear after a final.
    expect(r.clear()).toBe('');
    const long = r.partial('x'.repeat(100), 0);
    expect(long.length).toBe('\r\x1b[K'.length + 39);
    expect(long.endsWith('xxxx')).toBe(true);
    expect(r.clear()).toBe('\r\x1b[K');
  });

  it('prints finals only when not a terminal', () => {
    const r = new ListenRenderer({ tty: false });
    expect(r.partial('one', 0)).toBe('');
    expect(r.final('one', 0, 0.5)).toBe('[00:00.00 -> 00:00.50] one\n');
    expect(r.final('', 0, 0.5)).toBe('');
  });

  it('formats clock times', () => {
    expect(clockTime(0)).toBe('00:00.00');
    expect(clockTime(83.254)).toBe('01:23.25');
    expect(clockTime(3723.5)).toBe('1:02:03.50');
  });
});

describe('recorder lookup', () => {
  it('names what to install when no recorder is on PATH', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'speechstream-path-'));
    try {
      expect(() => pickRecorder('auto', { PATH: empty })).toThrow(
        /no audio recorder found.*rec, sox, arecord.*install SoX/,
      );
      try {
        pickRecorder('arecord', { PATH: empty });
        expect.unreachable();
      } catch (err) {
        expect(isSpeechError(err, RECORDER_MISSING)).toBe(true);
        expect((err as Error).message).toContain('looked for arecord');
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds an executable recorder on PATH, in auto order', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-path-'));
    try {
      for (const name of ['sox', 'arecord']) {
        writeFileSync(path.join(dir, name), '#!/bin/sh\n');
        chmodSync(path.join(dir, name), 0o755);
      }
      writeFileSync(path.join(dir, 'rec'), 'not executable');
      expect(findOnPath('sox', dir)).toBe(path.join(dir, 'sox'));
      expect(findOnPath('rec', dir)).toBeUndefined();
      expect(pickRecorder('auto', { PATH: dir })).toBe('sox');
      expect(pickRecorder('arecord', { PATH: dir })).toBe('arecord');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`listen` without sox on PATH exits with the coded error', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'speechstream-path-'));
    try {
      const run = await runCli(['listen', '--model', path.join(zooDir, 'nemo-streaming-ctc')], {
        env: { PATH: empty },
      });
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(
        new RegExp(`^speechstream: error ${RECORDER_MISSING}: no audio recorder found`, 'm'),
      );
      expect(run.stderr).toContain('apt install sox');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** Runs `fn` with a fake `rec` (a shell script) first on PATH, for node-record-lpcm16 to spawn. */
async function withFakeRec(script: string, fn: (env: NodeJS.ProcessEnv) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-rec-'));
  const savedPath = process.env.PATH;
  try {
    writeFileSync(path.join(dir, 'rec'), `#!/bin/sh\n${script}\n`);
    chmodSync(path.join(dir, 'rec'), 0o755);
    // node-record-lpcm16 spawns with this process's environment.
    process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ''}`;
    await fn({ PATH: process.env.PATH });
  } finally {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('listen through node-record-lpcm16 with a fake recorder', () => {
  it('a recorder that cannot open the device is an error with its message, not an empty success', async () => {
    const script = 'echo "rec FAIL sox: Sorry, there is no default audio device configured" >&2; exit 2';
    await withFakeRec(script, async (env) => {
      const model = path.join(zooDir, 'nemo-streaming-ctc');
      const run = await runCli(['listen', '--quiet', '--recorder', 'rec', '--model', model], { env });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'speechstream: error AUDIO_DECODE_FAILED: the recorder (rec) failed: rec FAIL sox: Sorry, there is no default ' +
          'audio device configured (is a microphone connected? choose one with --device)\n',
      );
    });
  });

  it.runIf(existsSync(path.join(dataDir, 'clips', 'jfk.wav')))(
    'transcribes what the recorder writes',
    async () => {
      const samples = await clip16k('clips/jfk.wav');
      const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-pcm-'));
      try {
        const raw = path.join(dir, 'jfk.raw');
        writeFileSync(raw, new Uint8Array(float32ToInt16(samples).buffer));
        await withFakeRec(`cat '${raw}'`, async (env) => {
          const run = await runCli(
            ['listen', '--quiet', '--model', path.join(zooDir, 'nemo-streaming-ctc')],
            { env },
          );
          expect(run.stderr).toBe('');
          expect(run.code).toBe(0);
          expect(run.stdout).toMatch(/^\[00:00\.\d\d -> 00:\d\d\.\d\d\] \S.*\n$/);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe.runIf(existsSync(path.join(dataDir, 'clips', 'jfk.wav')))(
  'listen over an injected microphone',
  () => {
    it('prints partials and finals with times, and Ctrl-C finishes the last segment', async () => {
      const samples = await clip16k('clips/vad-speech-60s.wav');
      const pcm = new Uint8Array(float32ToInt16(samples.subarray(0, 16000 * 20)).buffer);
      const stream = new PassThrough();
      let stopped = false;
      const mic: Microphone = {
        stream,
        finished: async () => undefined,
        stop() {
          stopped = true;
          stream.end();
        },
      };
      const io = testIo({ tty: true });
      let opened: (rate: number) => void = () => {};
      const micOpened = new Promise<number>((resolve) => {
        opened = resolve;
      });
      const done = runListen({ model: path.join(zooDir, 'nemo-streaming-hybrid'), quiet: true }, io, {
        openMicrophone: (options) => {
          opened(options.sampleRate);
          return mic;
        },
      });
      expect(await micOpened).toBe(16000);
      // The microphone delivers odd-sized chunks, then the user presses Ctrl-C.
      for (let at = 0; at < pcm.length; at += 3001) stream.write(pcm.subarray(at, at + 3001));
      expect(io.interrupts.size).toBe(1);
      for (const handler of io.interrupts) handler();
      await done;
      expect(stopped).toBe(true);
      expect(io.exitCode).toBe(0);
      expect(io.interrupts.size).toBe(0);
      const output = io.out.join('');
      expect(output).toContain('\r\x1b[K[');
      const finals = output.split('\n').filter((l) => l.includes(' -> '));
      expect(finals.length).toBeGreaterThanOrEqual(2);
      let previous = -1;
      for (const line of finals) {
        const m = /\[(\d\d):(\d\d\.\d\d) -> (\d\d):(\d\d\.\d\d)\] \S/.exec(line);
        expect(m, line).not.toBeNull();
        const start = Number(m![1]) * 60 + Number(m![2]);
        const end = Number(m![3]) * 60 + Number(m![4]);
        expect(start).toBeGreaterThanOrEqual(previous);
        expect(end).toBeGreaterThanOrEqual(start);
        expect(end).toBeLessThanOrEqual(20.5);
        previous = start;
      }
      // The screen is left clean: the output ends with a newline, not a partial.
      expect(output.endsWith('\n')).toBe(true);
    });
  },
);

/**
 * The microphone, through node-record-lpcm16, which runs SoX (`rec` or `sox`) or ALSA's
 * `arecord` and pipes its output. We ask for raw 16-bit mono at the model's rate (no WAV
 * header to strip). The recorder binary is looked up on PATH first, so a missing one is
 * a coded error saying what to install instead of a spawn crash.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type ErrorCode, SpeechError } from '../../common/errors.js';

export const recorderNames = ['auto', 'rec', 'sox', 'arecord'] as const;
export type RecorderName = (typeof recorderNames)[number];

/** The coded error for a machine without sox/arecord. */
export const RECORDER_MISSING: ErrorCode = 'AUDIO_RECORDER_MISSING';

const INSTALL_HINT =
  'install SoX (Debian/Ubuntu: sudo apt install sox; Fedora: sudo dnf install sox; macOS: brew install sox; ' +
  'Windows: https://sourceforge.net/projects/sox/) or, on Linux, ALSA utils for arecord (sudo apt install alsa-utils)';

/** Which binary each recorder of node-record-lpcm16 runs. */
const binaries: Record<Exclude<RecorderName, 'auto'>, string> = {
  rec: 'rec',
  sox: 'sox',
  arecord: 'arecord',
};

/** The first executable named `name` on `path` (a PATH string), or undefined. */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The recorder to use: the one asked for, or under auto the first of rec, sox, arecord found. */
export function pickRecorder(requested: RecorderName, env: NodeJS.ProcessEnv): Exclude<RecorderName, 'auto'> {
  const order = requested === 'auto' ? (['rec', 'sox', 'arecord'] as const) : [requested];
  for (const name of order) if (findOnPath(binaries[name], env.PATH) !== undefined) return name;
  const looked = order.map((n) => binaries[n]).join(', ');
  throw new SpeechError(
    RECORDER_MISSING,
    `no audio recorder found on PATH (looked for ${looked}): ${INSTALL_HINT}`,
    { recorder: requested, looked: order.map((n) => binaries[n]) },
  );
}

export interface Microphone {
  readonly stream: Readable;
  /** Stops recording; the stream then ends. Idempotent. */
  stop(): void;
  /**
   * Resolves once the recorder has exited: with why it failed, or undefined when it ended
   * normally or was stopped. The stream can end before the exit status is known.
   */
  finished(): Promise<SpeechError | undefined>;
}

interface Recording {
  readonly process: import('node:child_process').ChildProcess;
  stream(): Readable;
  stop(): void;
}
type RecordModule = { record(options: Record<string, unknown>): Recording };

export interface MicrophoneOptions {
  readonly sampleRate: number;
  readonly recorder?: RecorderName;
  readonly device?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function openMicrophone(options: MicrophoneOptions): Microphone {
  const env = options.env ?? process.env;
  const recorder = pickRecorder(options.recorder ?? 'auto', env);
  const { record } = createRequire(import.meta.url)('node-record-lpcm16') as RecordModule;
  const recording = record({
    sampleRate: options.sampleRate,
    channels: 1,
    recorder,
    audioType: 'raw',
    ...(options.device !== undefined && { device: options.device }),
  });
  const stream = recording.stream();
  const stderr: string[] = [];
  let stopped = false;
  let failure: SpeechError | undefined;
  recording.process.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    if (stderr.length > 10) stderr.splice(0, stderr.length - 10);
  });
  const fail = (why: unknown) => {
    if (stopped || failure !== undefined) return;
    const detail = stderr.at(-1) ?? String(why).split('\n')[0];
    failure = new SpeechError(
      'AUDIO_DECODE_FAILED',
      `the recorder (${recorder}) failed: ${detail}` +
        (options.device === undefined ? ' (is a microphone connected? choose one with --device)' : ''),
      { recorder, stderr: [...stderr] },
    );
    stream.destroy(failure);
  };
  // node-record-lpcm16 emits 'error' on the stream when the recorder exits non-zero (also
  // after we kill it on purpose), after the stream has ended; spawn errors come on the
  // process. Both are handled here, never left unhandled.
  stream.on('error', fail);
  recording.process.on('error', fail);
  const exited = new Promise<void>((resolve) => {
    recording.process.once('close', (code: number | null) => {
      if (code !== 0 && code !== null) fail(`exit code ${code}`);
      resolve();
    });
    recording.process.once('error', () => resolve());
  });
  return {
    stream,
    stop() {
      if (stopped) return;
      stopped = true;
      recording.stop();
    },
    async finished() {
      await exited;
      return failure;
    },
  };
}

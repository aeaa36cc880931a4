// Drives the CLI in-process: main() with captured stdout/stderr, a given stdin and a
// clean environment (no SPEECHSTREAM_* leaking in from the developer's shell).
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../../server/cli.js';
import type { CliIo } from '../../../server/output/cli-io.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const zooDir = path.join(repoRoot, 'test/fixtures/zoo');
export const dataDir = path.resolve(repoRoot, '../shared/data');
export const vadModel = path.resolve(repoRoot, '../shared/models/silero_vad.onnx');

export interface CapturedIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
  /** Ctrl-C handlers registered by the command. */
  readonly interrupts: Set<() => void>;
}

export function testIo(
  options: { stdin?: Readable; env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const interrupts = new Set<() => void>();
  return {
    out,
    err,
    interrupts,
    stdout: { write: (s: string) => out.push(s), isTTY: options.tty ?? false, columns: 80 },
    stderr: { write: (s: string) => err.push(s), isTTY: options.tty ?? false, columns: 80 },
    stdin: options.stdin ?? Readable.from([]),
    env: options.env ?? { PATH: process.env.PATH },
    onInterrupt(handler) {
      interrupts.add(handler);
      return () => interrupts.delete(handler);
    },
    exitCode: 0,
  };
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  args: readonly string[],
  options: { stdin?: Readable; env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<CliRun> {
  const io = testIo(options);
  const code = await main(['node', 'speechstream', ...args], io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

export interface JsonWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}
export interface JsonSegment {
  id: number;
  start: number;
  end: number;
  text: string;
  words: JsonWord[];
}
export interface JsonTranscript {
  file: string;
  text: string;
  duration: number;
  words: JsonWord[];
  segments: JsonSegment[];
}

/** stdout of --format json: one object per line. */
export function jsonLines(stdout: string): JsonTranscript[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JsonTranscript);
}

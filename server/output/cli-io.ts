/**
 * What a CLI command talks to: output streams, stdin, the environment and signals,
 * injectable so tests drive commands in-process and read what they printed.
 */
import type { Readable } from 'node:stream';
import { type SpeechError, toSpeechError } from '../../common/errors.js';

export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: Readable;
  readonly env: NodeJS.ProcessEnv;
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
  /** Set by commands that finish with a failure they already reported (0 = success). */
  exitCode: number;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    exitCode: 0,
  };
}

/** `speechstream: error CODE: message`, the one format scripts can match. */
export function errorLine(err: unknown): string {
  const coded = toSpeechError(err);
  return `speechstream: error ${coded.code}: ${coded.message}\n`;
}

/** Reports `err` on stderr and records its exit code unless an earlier error set one. */
export function reportError(io: CliIo, err: unknown): SpeechError {
  const coded = toSpeechError(err);
  io.stderr.write(errorLine(coded));
  if (io.exitCode === 0) io.exitCode = coded.exitCode;
  return coded;
}

/**
 * An AudioSink that feeds a child process on stdin: ffmpeg encoding, or a player. Writes
 * honour the pipe's backpressure (a real-time player therefore paces generation), a child
 * that dies early fails the next write with its last stderr line instead of an EPIPE, and
 * finish() waits for the child to exit so the file is complete or the audio has played.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { SpeechError } from '../../common/errors.js';
import type { AudioSink } from './speak-sink.js';
import { writeStream } from './speak-sink.js';

export interface ProcessSinkOptions {
  /** What the child is, for messages ('ffmpeg', 'play'). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Where the child's stdout goes (ffmpeg encoding to our stdout); default: discarded. */
  readonly stdout?: Writable;
  /** On an interrupted run: true kills the child (a player), false lets it finish the file. */
  readonly killOnInterrupt: boolean;
  /** The coded error for a child that fails, from its last line on stderr. */
  readonly failure: (detail: string) => SpeechError;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Lines of stderr kept to explain a failure. */
const STDERR_LINES = 5;

export async function openProcessSink(options: ProcessSinkOptions): Promise<AudioSink> {
  const child = spawn(options.command, options.args, {
    stdio: ['pipe', options.stdout === undefined ? 'ignore' : 'pipe', 'pipe'],
  });
  // Both piped by the stdio above (its type widens with the conditional stdout).
  const stdin = child.stdin!;
  const stderrStream = child.stderr!;
  const stderr: string[] = [];
  stderrStream.setEncoding('utf8');
  stderrStream.on('data', (text: string) => {
    stderr.push(...text.split('\n').filter((l) => l.trim() !== ''));
    if (stderr.length > STDERR_LINES) stderr.splice(0, stderr.length - STDERR_LINES);
  });
  // A child that exits while we write makes stdin emit EPIPE; the exit status says why.
  stdin.on('error', () => {});
  if (options.stdout !== undefined) child.stdout?.pipe(options.stdout, { end: false });
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', (err) =>
      reject(options.failure(`cannot run ${options.command}: ${(err as Error).message}`)),
    );
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // Spawn failures (ENOENT, EACCES) arrive as 'error' after spawn() returns: wait for the
  // child to start so they fail here, before any audio is made for it.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    exited.catch(reject);
  });
  const explain = (exit: Exit): SpeechError =>
    options.failure(
      stderr.at(-1) ??
        (exit.signal === null
          ? `${options.name} exited with status ${exit.code}`
          : `${options.name} got ${exit.signal}`),
    );
  let exit: Exit | undefined;
  void exited.then(
    (e) => {
      exit = e;
    },
    () => {},
  );
  return {
    async write(pcm) {
      if (exit !== undefined) throw explain(exit);
      try {
        await Promise.race([
          writeStream(stdin, pcm),
          exited.then((e) => {
            throw explain(e);
          }),
        ]);
      } catch (err) {
        // A broken pipe means the child is gone or going: its own words say more than EPIPE.
        if (!(err instanceof SpeechError) || err.code === 'INTERNAL') {
          const e = await exited.catch(() => undefined);
          if (e !== undefined) throw explain(e);
        }
        throw err;
      }
    },
    async finish(interrupted) {
      if (interrupted && options.killOnInterrupt) child.kill('SIGTERM');
      else stdin.end();
      const e = await exited;
      // Interrupted: the terminal's Ctrl-C reached the child too, and its status says so.
      if (!interrupted && (e.code !== 0 || e.signal !== null)) throw explain(e);
    },
  };
}

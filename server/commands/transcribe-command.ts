/**
 * `speechstream transcribe FILES...`: files (or patterns, or `-` for stdin) -> transcripts
 * on stdout (or one file per input in --output-dir), in txt, json, srt or vtt.
 *
 * Exit status: 0 when every input was transcribed; otherwise the catalogue exit code of
 * the first error. A failing input (missing, undecodable) is reported on stderr as
 * `speechstream: error CODE: message` and the others are still transcribed.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { SpeechError } from '../../common/errors.js';
import { probeAudio } from '../../streaming/audio/index.js';
import { type CliIo, reportError } from '../output/cli-io.js';
import { formatTranscript, type OutputFormat, outputFormats } from '../output/formats.js';
import { ProgressBar } from '../output/progress-bar.js';
import { openRecognition } from './transcribe-engine.js';
import { transcribeSource } from './transcribe-file.js';
import { expandGlob, hasGlobChars } from './transcribe-glob.js';
import { addRecognitionOptions, type RecognitionFlags, recognitionSettings } from './transcribe-options.js';

export interface TranscribeFlags extends RecognitionFlags {
  readonly format?: OutputFormat;
  readonly outputDir?: string;
}

/** An input to transcribe, or the reason a pattern gave none. */
type Input = { readonly path: string } | { readonly error: SpeechError };

const STDIN = '-';
/** Files shorter than this get no progress bar. */
const PROGRESS_MIN_SECONDS = 10;

export async function expandInputs(args: readonly string[]): Promise<Input[]> {
  const out: Input[] = [];
  for (const arg of args) {
    if (arg === STDIN || !hasGlobChars(arg)) {
      out.push({ path: arg });
      continue;
    }
    const matches = await expandGlob(arg);
    // A name with glob characters that exists as is (e.g. "take[1].wav") is that file.
    if (matches.length === 0) {
      if (existsSync(arg)) out.push({ path: arg });
      else
        out.push({
          error: new SpeechError('AUDIO_FILE_NOT_FOUND', `no file matches ${arg}`, { pattern: arg }),
        });
      continue;
    }
    for (const path of matches) out.push({ path });
  }
  if (out.filter((i) => 'path' in i && i.path === STDIN).length > 1) {
    throw new SpeechError('CONFIG_INVALID', "stdin ('-') can be given only once");
  }
  return out;
}

export async function runTranscribe(
  files: readonly string[],
  flags: TranscribeFlags,
  io: CliIo,
): Promise<void> {
  const format = flags.format ?? 'txt';
  const settings = recognitionSettings(flags, io.env);
  const inputs = await expandInputs(files);
  const recognition = await openRecognition(settings, io, {
    verbose: flags.verbose === true && !flags.quiet,
  });
  const showProgress = !flags.quiet && io.stderr.isTTY === true;
  try {
    if (flags.outputDir !== undefined) await mkdir(flags.outputDir, { recursive: true });
    const several = inputs.length > 1;
    for (const input of inputs) {
      if ('error' in input) {
        reportError(io, input.error);
        continue;
      }
      const label = input.path;
      let bar: ProgressBar | undefined;
      try {
        if (showProgress && label !== STDIN) {
          const total = (await probeAudio(label).catch(() => undefined))?.durationSeconds;
          if (total === undefined || total >= PROGRESS_MIN_SECONDS) {
            bar = new ProgressBar(io.stderr, { label: basename(label), totalSeconds: total });
          }
        }
        const source = label === STDIN ? io.stdin : label;
        const transcript = await transcribeSource(source, label, recognition, settings, {
          onProgress: bar === undefined ? undefined : (s) => bar?.update(s),
        });
        bar?.done();
        const text = formatTranscript(transcript, format);
        if (flags.outputDir !== undefined) {
          const name = label === STDIN ? 'stdin' : basename(label, extname(label));
          await writeFile(join(flags.outputDir, `${name}.${format}`), text);
        } else {
          // Several plain-text or subtitle outputs on one stream need a header each.
          if (several && format !== 'json') io.stdout.write(`==> ${label} <==\n`);
          io.stdout.write(text);
        }
      } catch (err) {
        bar?.done();
        reportError(io, err);
      }
    }
  } finally {
    await recognition.close();
  }
}

export function registerTranscribeCommand(program: Command, io: CliIo): void {
  const command = program
    .command('transcribe')
    .description('transcribe audio files (any format ffmpeg reads; "-" for stdin; patterns like "*.wav")')
    .argument('<files...>', 'audio files, glob patterns, or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(outputFormats).default('txt'))
    .option('-o, --output-dir <dir>', 'write one <name>.<format> per input into DIR instead of stdout');
  addRecognitionOptions(command).action((files: string[], opts: TranscribeFlags) =>
    runTranscribe(files, opts, io),
  );
}

/**
 * `speechstream listen`: live transcription of the microphone. Partials are rewritten on
 * one line, finals printed with their times as segments end. Ctrl-C stops recording; the
 * last segment is decoded and printed, and the command exits 0.
 */

import type { Command } from 'commander';
import { Option } from 'commander';
import { SpeechError } from '../../common/errors.js';
import type { CliIo } from '../output/cli-io.js';
import { ListenRenderer } from '../output/listen-render.js';
import { Linear16Decoder } from './listen-pcm.js';
import {
  type Microphone,
  type MicrophoneOptions,
  openMicrophone,
  type RecorderName,
  recorderNames,
} from './listen-recorder.js';
import { openRecognition } from './transcribe-engine.js';
import { recognizeAudio } from './transcribe-file.js';
import { addRecognitionOptions, type RecognitionFlags, recognitionSettings } from './transcribe-options.js';

export interface ListenFlags extends RecognitionFlags {
  readonly recorder?: RecorderName;
  readonly device?: string;
}

export interface ListenDeps {
  /** The audio source (default: the microphone through node-record-lpcm16). */
  readonly openMicrophone?: (options: MicrophoneOptions) => Microphone;
}

export async function runListen(flags: ListenFlags, io: CliIo, deps: ListenDeps = {}): Promise<void> {
  const settings = recognitionSettings(flags, io.env);
  const recognition = await openRecognition(settings, io, {
    verbose: flags.verbose === true && !flags.quiet,
  });
  try {
    const open = deps.openMicrophone ?? openMicrophone;
    const mic = open({
      sampleRate: recognition.sampleRate,
      recorder: flags.recorder ?? 'auto',
      ...(flags.device !== undefined && { device: flags.device }),
      env: io.env,
    });
    const removeInterrupt = io.onInterrupt(() => mic.stop());
    if (!flags.quiet) io.stderr.write('speechstream: listening; Ctrl-C to stop\n');
    const renderer = new ListenRenderer({ tty: io.stdout.isTTY === true, columns: io.stdout.columns });
    const pcm = new Linear16Decoder();
    async function* audio(): AsyncGenerator<Float32Array> {
      try {
        for await (const bytes of mic.stream) yield pcm.push(bytes as Uint8Array);
      } catch (err) {
        const failure = await mic.finished();
        if (failure !== undefined) throw failure;
        throw new SpeechError(
          'AUDIO_DECODE_FAILED',
          `reading the microphone failed: ${(err as Error).message}`,
        );
      }
      // The stream ends before the recorder's exit status is known: a recorder that could
      // not open the device ends it too, and that is a failure, not the end of speech.
      const failure = await mic.finished();
      if (failure !== undefined) throw failure;
    }
    try {
      await recognizeAudio(
        audio(),
        recognition,
        settings,
        (result, span) => {
          io.stdout.write(renderer.final(result.text, result.words[0]?.start ?? span.start, span.end));
        },
        (text, start) => {
          io.stdout.write(renderer.partial(text, start));
        },
      );
    } finally {
      io.stdout.write(renderer.clear());
      removeInterrupt();
      mic.stop();
    }
  } finally {
    await recognition.close();
  }
}

export function registerListenCommand(program: Command, io: CliIo): void {
  const command = program
    .command('listen')
    .description('transcribe the microphone live (needs SoX `rec` or ALSA `arecord`); Ctrl-C to stop')
    .addOption(new Option('--recorder <name>', 'recording program').choices(recorderNames).default('auto'))
    .option('--device <name>', 'recording device (sox AUDIODEV / arecord -D)');
  addRecognitionOptions(command).action((opts: ListenFlags) => runListen(opts, io));
}

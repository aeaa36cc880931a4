/**
 * `speechstream speak [TEXT]`: text -> speech, in-process, written as it is made: to a
 * file (wav, pcm natively; mp3, opus, aac, flac through ffmpeg), to stdout (`-o -`), and/or
 * to the speakers (`--play`). `--voices` lists the model's voices; `--json` prints a
 * summary (model, voice, seconds, time to first audio, real-time factor).
 *
 * Everything that can be refused (text, voice, speed, model, ffmpeg, player) is refused
 * before an output file is created. Ctrl-C aborts generation through an AbortSignal, keeps
 * what was made as a valid file, and exits 130 (the shell's code for SIGINT). Other
 * failures exit with their catalogue code.
 */
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { SpeechError } from '../../common/errors.js';
import { loadSpeechModel } from '../../models/tts/load-speech-model.js';
import { encodeWavData } from '../../streaming/audio/index.js';
import type { SpeechChunk, SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';
import type { CliIo } from '../output/cli-io.js';
import { type EncodedFormat, findEncoder, openEncoderSink } from './speak-encode.js';
import {
  addSpeakOptions,
  type SpeakDestination,
  type SpeakFlags,
  type SpeakSettings,
  STDOUT,
  speakDestination,
  speakSettings,
} from './speak-options.js';
import { openPlayerSink, type Player, pickPlayer } from './speak-play.js';
import { type AudioSink, openFileSink, openStreamSink } from './speak-sink.js';
import { speakText } from './speak-text.js';

/** Exit status of a run cut short by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

export interface SpeakDeps {
  /** Where `-o -` writes (default: the process's stdout, when io.stdout is a stream). */
  readonly stdout?: Writable;
}

/** What --json prints. */
export interface SpeakSummary {
  readonly model: string;
  readonly family: string;
  readonly voice: string;
  readonly provider: string;
  /** The file written ('-' for stdout), or null when the audio was only played. */
  readonly output: string | null;
  readonly format: string | null;
  readonly play: boolean;
  readonly sampleRate: number;
  readonly samples: number;
  readonly seconds: number;
  readonly loadMs: number;
  /** From the request to the first chunk of audio. */
  readonly firstAudioMs: number | null;
  /** Time spent in the synthesizer (not waiting on a slow destination). */
  readonly synthesisMs: number;
  /** synthesis time / audio time: below 1 is faster than real time. */
  readonly realTimeFactor: number | null;
  readonly interrupted: boolean;
}

interface SpeakStats {
  readonly samples: number;
  readonly firstAudioMs: number | undefined;
  readonly synthesisMs: number;
  readonly interrupted: boolean;
}

const ENCODED: readonly string[] = ['mp3', 'opus', 'aac', 'flac'] satisfies EncodedFormat[];

function loadSynthesizer(settings: SpeakSettings): Promise<SpeechSynthesizer> {
  const { config } = settings;
  return loadSpeechModel(settings.modelDir, {
    session: { provider: config.provider, intraOpThreads: config.ttsThreads },
    searchDirs: settings.searchDirs,
  });
}

export async function runSpeak(
  textArg: string | undefined,
  flags: SpeakFlags,
  io: CliIo,
  deps: SpeakDeps = {},
): Promise<void> {
  const settings = speakSettings(flags, io.env);
  if (flags.voices) {
    const synth = await loadSynthesizer(settings);
    try {
      io.stdout.write(formatVoices(synth, flags.json === true));
    } finally {
      await synth.close();
    }
    return;
  }
  const text = await speakText(textArg, io.stdin, settings.config.ttsMaxChars);
  const destination = speakDestination(flags, io.stdout.isTTY === true);
  // Missing tools are found out before a model loads or a file is created.
  const player = destination.play ? pickPlayer(io.env) : undefined;
  if (destination.output !== undefined && ENCODED.includes(destination.format)) await findEncoder(io.env);
  const stdout = destination.output === STDOUT ? binaryStdout(io, deps) : undefined;

  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt(() => controller.abort());
  try {
    const loadStart = performance.now();
    const synth = await loadSynthesizer(settings);
    const loadMs = performance.now() - loadStart;
    try {
      const voice = settings.voice ?? synth.defaultVoice;
      if (flags.verbose && !flags.quiet) {
        const note = (line: string) => io.stderr.write(`speechstream: ${line}\n`);
        note(
          `model ${synth.id} (${synth.family}) at ${settings.modelDir}, loaded in ${Math.round(loadMs)} ms`,
        );
        note(
          `provider ${synth.provider} (requested ${settings.config.provider}), threads ${settings.config.ttsThreads}, ${synth.sampleRate} Hz`,
        );
        note(`voice ${voice}; ${describeDestination(destination, player)}`);
      }
      const stats = await speakInto(
        synth,
        text,
        settings,
        () => openSinks(destination, synth.sampleRate, { stdout, player, env: io.env }),
        controller.signal,
      );
      const summary = summarize(synth, voice, destination, stats, loadMs);
      report(io, flags, summary);
      if (stats.interrupted && io.exitCode === 0) io.exitCode = INTERRUPTED_EXIT;
    } finally {
      await synth.close();
    }
  } finally {
    removeInterrupt();
  }
}

/**
 * Pulls audio from the synthesizer and writes each chunk to every sink before asking for
 * the next, so the slowest destination sets the pace and nothing queues. The sinks open
 * only once the first chunk (or the end) arrives: a request the synthesizer refuses
 * leaves no file behind.
 */
async function speakInto(
  synth: SpeechSynthesizer,
  text: string,
  settings: SpeakSettings,
  openAll: () => Promise<AudioSink[]>,
  signal: AbortSignal,
): Promise<SpeakStats> {
  const started = performance.now();
  let synthesisMs = 0;
  let samples = 0;
  let firstAudioMs: number | undefined;
  let interrupted = false;
  const chunks = synth
    .speak({
      text,
      ...(settings.voice !== undefined && { voice: settings.voice }),
      ...(settings.speed !== undefined && { speed: settings.speed }),
      ...(settings.seed !== undefined && { seed: settings.seed }),
      signal,
    })
    [Symbol.asyncIterator]();
  const pull = async (): Promise<IteratorResult<SpeechChunk>> => {
    const t = performance.now();
    try {
      return await chunks.next();
    } finally {
      synthesisMs += performance.now() - t;
    }
  };
  const END: IteratorResult<SpeechChunk> = { done: true, value: undefined };
  try {
    let next: IteratorResult<SpeechChunk>;
    try {
      next = await pull();
    } catch (err) {
      if (!signal.aborted) throw err;
      interrupted = true;
      next = END;
    }
    const sinks = await openAll();
    try {
      while (!next.done) {
        firstAudioMs ??= performance.now() - started;
        samples += next.value.samples.length;
        const pcm = encodeWavData([next.value.samples], 'pcm16');
        await Promise.all(sinks.map((sink) => sink.write(pcm)));
        next = await pull();
      }
    } catch (err) {
      // A failed write or model call still leaves valid files of what was made.
      if (!signal.aborted) {
        await finishAll(sinks, true).catch(() => {});
        throw err;
      }
      interrupted = true;
    }
    await finishAll(sinks, interrupted);
  } finally {
    await chunks.return?.();
  }
  return { samples, firstAudioMs, synthesisMs, interrupted };
}

interface SinkContext {
  readonly stdout: Writable | undefined;
  readonly player: Player | undefined;
  readonly env: NodeJS.ProcessEnv;
}

async function openSinks(
  destination: SpeakDestination,
  sampleRate: number,
  context: SinkContext,
): Promise<AudioSink[]> {
  const sinks: AudioSink[] = [];
  try {
    const { output, format } = destination;
    if (output !== undefined) {
      const target = output === STDOUT ? context.stdout! : output;
      if (format === 'wav' || format === 'pcm') {
        sinks.push(
          typeof target === 'string'
            ? await openFileSink(target, format, sampleRate)
            : await openStreamSink(target, format, sampleRate),
        );
      } else {
        sinks.push(await openEncoderSink({ format, sampleRate, output: target, env: context.env }));
      }
    }
    if (context.player !== undefined) sinks.push(await openPlayerSink(context.player, sampleRate));
    return sinks;
  } catch (err) {
    await finishAll(sinks, true).catch(() => {});
    throw err;
  }
}

/** Finishes every sink, even when one fails; the first failure is thrown. */
async function finishAll(sinks: readonly AudioSink[], interrupted: boolean): Promise<void> {
  const results = await Promise.allSettled(sinks.map((sink) => sink.finish(interrupted)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

function describeDestination(destination: SpeakDestination, player: Player | undefined): string {
  const parts: string[] = [];
  const { output, format } = destination;
  if (output !== undefined) parts.push(`${format} to ${output === STDOUT ? 'stdout' : output}`);
  if (player !== undefined) parts.push(`the speakers through ${player.name}`);
  return parts.join(' and ');
}

function binaryStdout(io: CliIo, deps: SpeakDeps): Writable {
  const out = deps.stdout ?? (io.stdout instanceof Writable ? io.stdout : undefined);
  if (out === undefined) throw new SpeechError('INTERNAL', 'this run has no binary stdout to write audio to');
  return out;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function summarize(
  synth: SpeechSynthesizer,
  voice: string,
  destination: SpeakDestination,
  stats: SpeakStats,
  loadMs: number,
): SpeakSummary {
  const seconds = stats.samples / synth.sampleRate;
  return {
    model: synth.id,
    family: synth.family,
    voice,
    provider: synth.provider,
    output: destination.output ?? null,
    format: destination.output === undefined ? null : destination.format,
    play: destination.play,
    sampleRate: synth.sampleRate,
    samples: stats.samples,
    seconds: round(seconds, 3),
    loadMs: round(loadMs, 1),
    firstAudioMs: stats.firstAudioMs === undefined ? null : round(stats.firstAudioMs, 1),
    synthesisMs: round(stats.synthesisMs, 1),
    realTimeFactor: seconds > 0 ? round(stats.synthesisMs / 1000 / seconds, 4) : null,
    interrupted: stats.interrupted,
  };
}

/** --json on stdout, or on stderr when stdout carries the audio; else a note for people. */
function report(io: CliIo, flags: SpeakFlags, summary: SpeakSummary): void {
  if (flags.json) {
    const sink = summary.output === STDOUT ? io.stderr : io.stdout;
    sink.write(`${JSON.stringify(summary)}\n`);
  }
  if (flags.quiet) return;
  const where =
    summary.output === null ? 'played' : summary.output === STDOUT ? 'to stdout' : `to ${summary.output}`;
  if (summary.interrupted) {
    const kept = summary.output === null || summary.output === STDOUT ? '' : `; ${summary.output} holds it`;
    io.stderr.write(`speechstream: interrupted after ${summary.seconds.toFixed(2)} s of audio${kept}\n`);
  } else if (flags.verbose || (!flags.json && io.stderr.isTTY === true)) {
    const first =
      summary.firstAudioMs === null ? '' : `, first audio after ${Math.round(summary.firstAudioMs)} ms`;
    const rtf =
      summary.realTimeFactor === null ? '' : `, real-time factor ${summary.realTimeFactor.toFixed(3)}`;
    io.stderr.write(`speechstream: ${summary.seconds.toFixed(2)} s of audio ${where}${first}${rtf}\n`);
  }
}

/** One voice per line (the default marked), or the JSON of GET /v1/audio/voices. */
export function formatVoices(synth: SpeechSynthesizer, json: boolean): string {
  if (json) {
    const voices = synth.voices.map((name) => ({
      id: name,
      name,
      model: synth.id,
      family: synth.family,
      default: name === synth.defaultVoice,
    }));
    return `${JSON.stringify({ voices })}\n`;
  }
  return synth.voices.map((name) => `${name}${name === synth.defaultVoice ? ' (default)' : ''}\n`).join('');
}

export function registerSpeakCommand(program: Command, io: CliIo): void {
  const command = program
    .command('speak')
    .description('say text: to a wav/pcm/mp3/opus/aac/flac file (-o), stdout (-o -) or the speakers (--play)')
    .argument('[text]', 'what to say; "-" or absent: read it from stdin');
  addSpeakOptions(command).action((text: string | undefined, opts: SpeakFlags) => runSpeak(text, opts, io));
}

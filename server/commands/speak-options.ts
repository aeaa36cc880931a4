/**
 * Flags of `speak` -> what the run needs. Model and runtime settings go through the one
 * config schema (defaults < SPEECHSTREAM_* environment < flags: `--model` is the config key
 * ttsModel, `--threads` ttsThreads); per-run choices (voice, speed, output, format) are
 * plain flags.
 */
import { delimiter, extname } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { SpeechError } from '../../common/errors.js';
import { type Config, envName, loadConfig, providerNames } from '../config.js';
import { embeddedModels, embeddedModelsDir, extraModelDirs, resolveTtsModelDirs } from './models-embedded.js';

export const speakFormats = ['wav', 'pcm', 'mp3', 'opus', 'aac', 'flac'] as const;
export type SpeakFormat = (typeof speakFormats)[number];

/** `-o -`: the audio goes to stdout. */
export const STDOUT = '-';

/** The flags as commander parses them. */
export interface SpeakFlags {
  readonly output?: string;
  readonly format?: SpeakFormat;
  readonly model?: string;
  readonly ttsModel?: string;
  readonly voice?: string;
  readonly speed?: string;
  readonly seed?: string;
  readonly play?: boolean;
  readonly voices?: boolean;
  readonly json?: boolean;
  readonly provider?: string;
  readonly threads?: string;
  readonly ttsMaxChars?: string;
  readonly modelsDir?: readonly string[];
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface SpeakSettings {
  readonly config: Config;
  readonly modelDir: string;
  readonly searchDirs: readonly string[];
  readonly voice: string | undefined;
  readonly speed: number | undefined;
  readonly seed: number | undefined;
}

/** Where the audio goes: a file, stdout, the speakers, or a file and the speakers. */
export interface SpeakDestination {
  /** A path, STDOUT, or undefined when the audio is only played. */
  readonly output: string | undefined;
  readonly format: SpeakFormat;
  readonly play: boolean;
}

const EXTENSIONS: Readonly<Record<string, SpeakFormat>> = {
  '.wav': 'wav',
  '.wave': 'wav',
  '.pcm': 'pcm',
  '.raw': 'pcm',
  '.mp3': 'mp3',
  '.opus': 'opus',
  '.ogg': 'opus',
  '.aac': 'aac',
  '.m4a': 'aac',
  '.flac': 'flac',
};

export function addSpeakOptions(command: Command): Command {
  return command
    .option('-o, --output <file>', 'where the audio goes ("-" for stdout)')
    .addOption(
      new Option('-f, --format <format>', 'audio format (default: from the -o extension, else wav)').choices(
        speakFormats,
      ),
    )
    .option(
      '-m, --model <dir>',
      `TTS model directory or id (default: the first of ${envName('ttsModel')}, else the embedded voices)`,
    )
    .addOption(new Option('--tts-model <dir>', 'same as --model (the config key)').hideHelp())
    .option('--voice <name>', "one of the model's voices (see --voices; default: the model's default)")
    .option('--speed <x>', 'speaking rate, 0.25 to 4 (> 1 is faster; default 1)')
    .option('--seed <n>', 'sampling seed, an integer >= 0 (default 0: the same text gives the same audio)')
    .option('--play', 'play through the speakers as the audio is made (needs SoX `play` or `ffplay`)')
    .option('--voices', "list the model's voices and exit")
    .option('--json', 'print a summary (model, voice, seconds, time to first audio, real-time factor)')
    .addOption(
      new Option('--provider <name>', `execution provider (env ${envName('provider')})`).choices(
        providerNames,
      ),
    )
    .option('--threads <n>', `onnxruntime threads per TTS session (env ${envName('ttsThreads')})`)
    .option('--tts-max-chars <n>', `longest text accepted (env ${envName('ttsMaxChars')}; default 4096)`)
    .option(
      '--models-dir <dir>',
      'where --model ids are also looked up (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('-v, --verbose', 'print the model, provider and output to stderr')
    .option('-q, --quiet', 'no notes on stderr (errors still)');
}

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new SpeechError('CONFIG_INVALID', `--${name} must be a number, got '${value}'`, { [name]: value });
  }
  return n;
}

export function speakSettings(flags: SpeakFlags, env: NodeJS.ProcessEnv): SpeakSettings {
  const config = loadConfig(
    {
      ttsModel: flags.model ?? flags.ttsModel,
      provider: flags.provider,
      ttsThreads: flags.threads,
      ttsMaxChars: flags.ttsMaxChars,
      modelsDir: flags.modelsDir?.length ? flags.modelsDir.join(delimiter) : undefined,
    },
    env,
  );
  const searchDirs = extraModelDirs(config.modelsDir);
  return {
    config,
    modelDir: defaultTtsModelDir(config.ttsModel, searchDirs),
    searchDirs,
    voice: flags.voice,
    // Ranges are the synthesizer's to check; here only that they are numbers at all.
    speed: numberFlag('speed', flags.speed),
    seed: numberFlag('seed', flags.seed),
  };
}

/** The model `speak` uses: the first of `ttsModel`, as the server's default is. */
function defaultTtsModelDir(ttsModel: readonly string[], searchDirs: readonly string[]): string {
  const how = `pass --model DIR or set ${envName('ttsModel')}`;
  if (ttsModel.length === 1 && ttsModel[0] === 'none') {
    throw new SpeechError(
      'MODEL_NOT_FOUND',
      `text-to-speech is turned off (the TTS model is 'none'); ${how}`,
      {
        setting: 'ttsModel',
      },
    );
  }
  const [dir] = resolveTtsModelDirs(ttsModel.slice(0, 1), searchDirs);
  if (dir === undefined) {
    throw new SpeechError(
      'MODEL_NOT_FOUND',
      `no text-to-speech model is installed (the embedded voices ${embeddedModels.tts.join(', ')} are not in ` +
        `${embeddedModelsDir()}); ${how} to use a TTS model directory`,
      { dir: embeddedModelsDir(), setting: 'ttsModel' },
    );
  }
  return dir;
}

/**
 * Output, format and playback from the flags. With neither -o nor --play the audio goes
 * to stdout, unless stdout is a terminal: binary on a terminal helps no one.
 */
export function speakDestination(flags: SpeakFlags, stdoutIsTerminal: boolean): SpeakDestination {
  const play = flags.play === true;
  let output = flags.output;
  if (output === undefined && !play) {
    if (stdoutIsTerminal) {
      throw new SpeechError(
        'CONFIG_INVALID',
        'where should the audio go? pass -o FILE, -o - for stdout, or --play for the speakers',
      );
    }
    output = STDOUT;
  }
  const fromExtension =
    output === undefined || output === STDOUT ? undefined : EXTENSIONS[extname(output).toLowerCase()];
  return { output, play, format: flags.format ?? fromExtension ?? 'wav' };
}

/**
 * Flags of `transcribe` (and `listen`, which shares the recognition flags) -> what the
 * engine and the sessions need. Model and runtime settings go through the one config
 * schema (defaults < SPEECHSTREAM_* environment < flags); per-run choices (format,
 * hotwords, output) are plain flags.
 */
import { delimiter } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Hotword, StreamingDecoderChoice, StreamOptions } from '../../asr/recognizer.js';
import { SpeechError } from '../../common/errors.js';
import { type Config, loadConfig, providerNames } from '../config.js';
import { extraModelDirs, resolveModelDir } from './models-embedded.js';

/** The recognition flags as commander parses them. */
export interface RecognitionFlags {
  readonly model?: string;
  readonly asrModel?: string;
  readonly provider?: string;
  readonly threads?: string;
  readonly decoder?: string;
  readonly lookahead?: string;
  readonly twoPass?: boolean;
  readonly secondPassModel?: string;
  readonly secondPassCombine?: string;
  readonly vad?: string;
  readonly hotword?: readonly string[];
  readonly modelsDir?: readonly string[];
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface RecognitionSettings {
  readonly config: Config;
  readonly modelDir: string;
  readonly secondPassDir: string | undefined;
  readonly vadPath: string | undefined;
  readonly stream: StreamOptions;
  readonly hotwords: readonly Hotword[];
}

/** Adds the flags shared by transcribe and listen. */
export function addRecognitionOptions(command: Command): Command {
  return command
    .option(
      '-m, --model <dir>',
      'ASR model directory or id (default: the embedded streaming model; env SPEECHSTREAM_ASR_MODEL)',
    )
    .addOption(new Option('--asr-model <dir>', 'same as --model (the config key)').hideHelp())
    .addOption(
      new Option('--provider <name>', 'execution provider (env SPEECHSTREAM_PROVIDER)').choices(
        providerNames,
      ),
    )
    .option('--threads <n>', 'onnxruntime threads per session (env SPEECHSTREAM_THREADS)')
    .addOption(
      new Option('--decoder <head>', 'head of a streaming NeMo model that writes the transcript').choices([
        'ctc',
        'rnnt',
        'hybrid',
        'auto',
      ]),
    )
    .option(
      '--lookahead <R>',
      "encoder lookahead R in 80 ms frames (one of the model's; see `speechstream models`)",
    )
    .option('--two-pass', 're-decode each segment with an offline model (default: the embedded Paraformer)')
    .option('--second-pass-model <dir>', 'offline model for --two-pass (implies --two-pass)')
    .addOption(
      new Option(
        '--second-pass-combine <how>',
        "--two-pass finals: the second pass's transcript (replace), a word vote with the streaming heads (vote), or the model's choice (auto)",
      ).choices(['auto', 'replace', 'vote']),
    )
    .option('--vad <path>', 'Silero VAD ONNX file: offline models transcribe its speech segments')
    .option(
      '--hotword <phrase[:boost]>',
      'bias decoding towards a phrase (repeatable; streaming models)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--models-dir <dir>',
      'where --model ids are also looked up (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('-v, --verbose', 'print the effective configuration to stderr')
    .option('-q, --quiet', 'no progress or notes on stderr (errors still)');
}

/** `digits:2.5` -> { phrase: 'digits', boost: 2.5 }. */
export function parseHotword(value: string): Hotword {
  const match = /^(.*):(-?\d+(?:\.\d+)?)$/.exec(value);
  const phrase = (match ? match[1]! : value).trim();
  if (phrase === '') {
    throw new SpeechError('CONFIG_INVALID', `--hotword '${value}' has no phrase (expected PHRASE[:boost])`);
  }
  return match ? { phrase, boost: Number(match[2]) } : { phrase };
}

export function recognitionSettings(flags: RecognitionFlags, env: NodeJS.ProcessEnv): RecognitionSettings {
  const config = loadConfig(
    {
      asrModel: flags.model ?? flags.asrModel,
      provider: flags.provider,
      threads: flags.threads,
      decoder: flags.decoder,
      lookahead: flags.lookahead,
      twoPass: flags.twoPass || flags.secondPassModel !== undefined ? true : undefined,
      secondPassModel: flags.secondPassModel,
      secondPassCombine: flags.secondPassCombine,
      vad: flags.vad,
      modelsDir: flags.modelsDir?.length ? flags.modelsDir.join(delimiter) : undefined,
    },
    env,
  );
  const search = extraModelDirs(config.modelsDir);
  const hotwords = (flags.hotword ?? []).map(parseHotword);
  const stream: StreamOptions = {
    ...(config.decoder !== 'auto' && { decoder: config.decoder as StreamingDecoderChoice }),
    ...(config.lookahead !== 'auto' && { lookahead: config.lookahead }),
    ...(hotwords.length > 0 && { hotwords }),
  };
  return {
    config,
    modelDir: resolveModelDir(config.asrModel, 'asrModel', search),
    secondPassDir: config.twoPass
      ? resolveModelDir(config.secondPassModel, 'secondPassModel', search)
      : undefined,
    vadPath: config.vad === '' ? undefined : config.vad,
    stream,
    hotwords,
  };
}

/** Stream options an offline primary model cannot honour. */
export function offlineConflicts(settings: RecognitionSettings): string[] {
  const out: string[] = [];
  if (settings.stream.decoder !== undefined) out.push('--decoder');
  if (settings.stream.lookahead !== undefined) out.push('--lookahead');
  if (settings.hotwords.length > 0) out.push('--hotword');
  if (settings.secondPassDir !== undefined) out.push('--two-pass');
  return out;
}

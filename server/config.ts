/**
 * The one configuration schema, with its defaults.
 *
 * Keys are flat so that each maps one to one onto a CLI flag (`asrModel` <-> `--asr-model`)
 * and an environment variable (`asrModel` <-> `SPEECHSTREAM_ASR_MODEL`). Precedence:
 * defaults < environment < flags. The effective config is printed at start-up.
 */
import { z } from 'zod';
import { SpeechError } from '../common/errors.js';

export const providerNames = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'auto'] as const;

/** A boolean from a flag (true/false) or the environment ('1', 'true', 'yes', 'on' / '0', 'false', 'no', 'off'). */
const booleanish = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean());

/** A list from a repeated flag (array) or the environment (comma-separated). */
const stringList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(1)),
);

export const configSchema = z
  .object({
    // --- models and execution -------------------------------------------------
    /** Primary ASR model directory (streaming or offline); empty means the embedded default. */
    asrModel: z
      .string()
      .default('')
      .describe('Primary ASR model directory (streaming or offline); empty means the embedded default.'),
    /** Offline model for the second pass; empty means the embedded Paraformer. */
    secondPassModel: z
      .string()
      .default('')
      .describe('Offline model for the second pass; empty means the embedded Paraformer.'),
    /** Re-decode every finished segment with the second-pass model. */
    twoPass: booleanish
      .default(false)
      .describe('Re-decode every finished segment with the second-pass model.'),
    /** How a 2-pass final is made: the second pass's transcript, or a vote with the streaming heads. */
    secondPassCombine: z
      .enum(['auto', 'replace', 'vote'])
      .default('auto')
      .describe(
        "How a 2-pass final is made: replace (the second pass's transcript), vote (a word vote among the second pass and the streaming model's CTC and RNN-T heads), auto = the streaming model's choice (speechstream.json).",
      ),
    /** Which head writes the transcript of a streaming NeMo model; auto = the model's default. */
    decoder: z
      .enum(['auto', 'ctc', 'rnnt', 'hybrid'])
      .default('auto')
      .describe("Which head writes the transcript of a streaming NeMo model; auto = the model's default."),
    /** Encoder lookahead R (frames of 80 ms); auto = the model's default. */
    lookahead: z
      .union([z.literal('auto'), z.coerce.number().int().min(0).max(1000)])
      .default('auto')
      .describe("Encoder lookahead R (frames of 80 ms); auto = the model's default."),
    /** Silero VAD ONNX file (not shipped); empty means no VAD (offline models cut at quiet points). */
    vad: z
      .string()
      .default('')
      .describe(
        'Silero VAD ONNX file (not shipped); empty means no VAD (offline models cut at quiet points).',
      ),
    /** Extra directories of model directories to list and resolve, separated like PATH. */
    modelsDir: z
      .string()
      .default('')
      .describe('Extra directories of model directories to list and resolve, separated like PATH.'),
    /** Execution provider for every model session. */
    provider: z.enum(providerNames).default('cpu').describe('Execution provider for every model session.'),
    /** onnxruntime intra-op threads per session. */
    threads: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(1)
      .describe('onnxruntime intra-op threads per session.'),
    /**
     * Engine worker threads for live and uploaded ASR sessions, each with its own copy of
     * the models; a session runs on the worker with the fewest. onnxruntime runs on the
     * calling thread, so one worker uses one core (times `threads`). auto = one per core
     * (at most 4) on the CPU provider, one on a GPU (where one worker's big batches are
     * what keeps the device busy).
     */
    engineWorkers: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(64)])
      .default('auto')
      .describe(
        'ASR engine worker threads, each with its own copy of the models; auto = one per core (at most 4) on CPU, 1 on a GPU.',
      ),

    /**
     * Text-to-speech model directories or ids, comma-separated; the first is the default for
     * requests that name none. Empty means the embedded voices that are installed; 'none'
     * turns TTS off.
     */
    ttsModel: stringList
      .default([])
      .describe(
        "Text-to-speech model directories or ids (comma-separated; the first is the default); empty means the embedded voices, 'none' turns TTS off.",
      ),
    /** onnxruntime intra-op threads per TTS session. */
    ttsThreads: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(1)
      .describe('onnxruntime intra-op threads per TTS session.'),
    /** Speech requests generating at once; more wait in a bounded queue. */
    ttsConcurrency: z.coerce
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(4)
      .describe('Speech requests generating at once; more wait in a bounded queue.'),
    /** Speech requests waiting for a slot; beyond this they are answered 503 with Retry-After. */
    ttsQueue: z.coerce
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(64)
      .describe('Speech requests waiting for a slot; beyond this they are answered 503 with Retry-After.'),
    /** Longest text one speech request may carry (characters; OpenAI's limit is 4096). */
    ttsMaxChars: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(4096)
      .describe("Longest text one speech request may carry (characters; OpenAI's limit is 4096)."),

    // --- server ----------------------------------------------------------------
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Streams per batched encoder call; auto = 16 on the CPU provider, 32 on a GPU (resolveBatching). */
    maxBatch: z
      .union([z.literal('auto'), z.coerce.number().int().min(1).max(1024)])
      .default('auto')
      .describe('Streams per batched encoder call; auto = 16 on CPU, 32 on a GPU.'),
    /** How long a ready stream may wait for others to join its batch (ms); auto = 5 on CPU, 10 on a GPU. */
    maxWaitMs: z
      .union([z.literal('auto'), z.coerce.number().min(0).max(1000)])
      .default('auto')
      .describe(
        'How long a ready stream may wait for others to join its batch (ms); auto = 5 on CPU, 10 on a GPU.',
      ),
    /** Live sessions at once; more are answered 503 with Retry-After. */
    maxConnections: z.coerce
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(200)
      .describe('Live sessions at once; more are answered 503 with Retry-After.'),
    /** Largest audio frame a live client may send (bytes). */
    maxFrameBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest audio frame a live client may send (bytes).'),
    /** Close a live session after this long without audio or KeepAlive (ms). */
    idleTimeoutMs: z.coerce
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(10_000)
      .describe('Close a live session after this long without audio or KeepAlive (ms).'),
    /** Most audio one live session may send (seconds). */
    maxSessionSeconds: z.coerce
      .number()
      .min(1)
      .max(7 * 24 * 3600)
      .default(4 * 3600)
      .describe('Most audio one live session may send (seconds).'),
    /** Bytes queued to a client that does not read before it is cut off. */
    maxSendBufferBytes: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .default(8 * 1024 * 1024)
      .describe('Bytes queued to a client that does not read before it is cut off.'),
    /** Largest upload to /v1/audio/transcriptions (bytes). */
    maxUploadBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(512 * 1024 * 1024)
      .describe('Largest upload to /v1/audio/transcriptions (bytes).'),
    /** API keys (comma-separated in the environment); empty = no authentication. Never logged. */
    apiKeys: stringList
      .default([])
      .describe('API keys (comma-separated in the environment); empty = no authentication. Never logged.'),
    /** Allowed CORS origins (comma-separated; '*' for any); empty = no CORS headers. */
    corsOrigins: stringList
      .default([])
      .describe("Allowed CORS origins (comma-separated; '*' for any); empty = no CORS headers."),
    /** TLS certificate and key files (PEM); both or neither. */
    tlsCert: z.string().default('').describe('TLS certificate and key files (PEM); both or neither.'),
    tlsKey: z.string().default(''),

    // --- logging ---------------------------------------------------------------
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export const configKeys = Object.keys(configSchema.shape) as ConfigKey[];

/** The config as it may be printed or logged: the API keys are replaced by their count. */
export function printableConfig(config: Config): Record<string, unknown> {
  const { apiKeys, ...shown } = config;
  return { ...shown, apiKeys: apiKeys.length > 0 ? `${apiKeys.length} key(s)` : 'none' };
}

/** `asrModel` -> `SPEECHSTREAM_ASR_MODEL`. */
export function envName(key: ConfigKey): string {
  return `SPEECHSTREAM_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `asrModel` -> `asr-model` (the CLI flag without dashes). */
export function flagName(key: ConfigKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Builds the effective config from the environment and explicit overrides (CLI flags).
 * Unknown keys and bad values raise CONFIG_INVALID naming every offending setting and
 * where it came from.
 */
export function loadConfig(
  overrides: Partial<Record<ConfigKey, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const key of configKeys) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      origin[key] = `env ${envName(key)}`;
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    raw[key] = value;
    origin[key] = `flag --${flagName(key as ConfigKey)}`;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const from = origin[key] ? ` (from ${origin[key]})` : '';
      return `${key || '(config)'}${from}: ${issue.message}`;
    });
    throw new SpeechError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return parsed.data;
}

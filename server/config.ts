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

export const configSchema = z
  .object({
    // --- models and execution -------------------------------------------------
    /** Streaming ASR model directory; empty means the embedded default. */
    asrModel: z.string().default(''),
    /** Execution provider for every model session. */
    provider: z.enum(providerNames).default('cpu'),
    /** onnxruntime intra-op threads per session. */
    threads: z.coerce.number().int().min(1).max(256).default(1),

    // --- server ----------------------------------------------------------------
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),

    // --- logging ---------------------------------------------------------------
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

export const configKeys = Object.keys(configSchema.shape) as ConfigKey[];

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

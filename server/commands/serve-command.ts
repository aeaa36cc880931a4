/**
 * `speechstream serve`: the HTTP/WebSocket server. Every server setting is a key of the
 * one config schema; its flag is generated from the key (`maxConnections` <->
 * `--max-connections`), so flags, SPEECHSTREAM_* variables and the schema never drift.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import type { StreamingDecoderChoice } from '../../asr/recognizer.js';
import { type ConfigKey, configSchema, envName, flagName, loadConfig, printableConfig } from '../config.js';
import { startServer, stopOnSignals } from '../main.js';
import type { CliIo } from '../output/cli-io.js';
import {
  embeddedModels,
  embeddedModelsDir,
  extraModelDirs,
  resolveModelDir,
  resolveTtsModelDirs,
} from './models-embedded.js';

/** Keys `serve` exposes as flags (the rest belong to other commands). */
const SERVE_KEYS: readonly ConfigKey[] = [
  'asrModel',
  'secondPassModel',
  'secondPassCombine',
  'decoder',
  'modelsDir',
  'provider',
  'threads',
  'engineWorkers',
  'ttsModel',
  'ttsThreads',
  'ttsConcurrency',
  'ttsQueue',
  'ttsMaxChars',
  'host',
  'port',
  'maxBatch',
  'maxWaitMs',
  'maxConnections',
  'maxFrameBytes',
  'idleTimeoutMs',
  'maxSessionSeconds',
  'maxSendBufferBytes',
  'maxUploadBytes',
  'apiKeys',
  'corsOrigins',
  'tlsCert',
  'tlsKey',
  'logLevel',
];

function describe(key: ConfigKey): string {
  const field = configSchema.shape[key] as unknown as { description?: string };
  return `${field.description ?? key} (env ${envName(key)})`;
}

export function registerServeCommand(program: Command, io: CliIo): void {
  const command = program
    .command('serve')
    .description(
      'run the speech server (live transcription on WebSocket /v1/listen, HTTP API with /v1/audio/speech, demo page at /)',
    );
  for (const key of SERVE_KEYS) {
    const flag = key === 'asrModel' ? 'model' : flagName(key);
    command.addOption(new Option(`--${flag} <value>`, describe(key)));
  }
  command.action(async (flags: Record<string, string | undefined>) => {
    const overrides: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of SERVE_KEYS) {
      const camel =
        key === 'asrModel' ? 'model' : flagName(key).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      if (flags[camel] !== undefined) overrides[key] = flags[camel];
    }
    const config = loadConfig(overrides, io.env);
    const searchDirs = extraModelDirs(config.modelsDir);
    const model = resolveModelDir(config.asrModel, 'asrModel', searchDirs);
    // The second pass is loaded when configured, or when the embedded Paraformer is installed.
    const embeddedSecond = join(embeddedModelsDir(), embeddedModels.secondPass);
    const secondPassModel =
      config.secondPassModel !== ''
        ? resolveModelDir(config.secondPassModel, 'secondPassModel', searchDirs)
        : config.asrModel === '' && existsSync(embeddedSecond)
          ? embeddedSecond
          : undefined;
    // Absent embedded voices are not an error: the server then runs with TTS off.
    const ttsModels = resolveTtsModelDirs(config.ttsModel, searchDirs);
    io.stderr.write(`speechstream: config ${JSON.stringify(printableConfig(config))}\n`);
    const server = await startServer(config, {
      model,
      secondPassModel,
      decoder: config.decoder === 'auto' ? undefined : (config.decoder as StreamingDecoderChoice),
      secondPassCombine: config.secondPassCombine,
      ttsModels,
      searchDirs,
    });
    stopOnSignals(server, (line) => io.stderr.write(`speechstream: ${line}\n`));
    // Keep the command pending until the server is stopped, so main() returns its exit code then.
    await new Promise<void>((resolve) => server.app.fastify.server.once('close', () => resolve()));
  });
}

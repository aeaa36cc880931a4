import { delimiter } from 'node:path';
import type { Command } from 'commander';
import { listProviders, type ProviderName } from '../../models/runtime/index.js';
import { loadConfig } from '../config.js';
import type { CliIo } from '../output/cli-io.js';
import { renderModelsTable } from '../output/models-table.js';
import { embeddedModelsDir, extraModelDirs } from './models-embedded.js';
import { listModels } from './models-listing.js';

export interface ModelsCommandOptions {
  readonly json?: boolean;
  readonly modelsDir?: readonly string[];
  /** Also try webgpu (its native driver search can print to stderr). */
  readonly probe?: boolean;
}

/** `speechstream models`: installed models (embedded + --models-dir) and execution providers. */
export async function runModelsCommand(options: ModelsCommandOptions, io: CliIo): Promise<void> {
  const config = loadConfig(
    { modelsDir: options.modelsDir?.length ? options.modelsDir.join(delimiter) : undefined },
    io.env,
  );
  const roots = [
    { dir: embeddedModelsDir(), source: 'embedded', optional: true },
    ...extraModelDirs(config.modelsDir).map((dir) => ({ dir, source: dir })),
  ];
  const { models, skipped } = await listModels(roots);
  for (const s of skipped)
    io.stderr.write(`speechstream: warning: skipped ${s.path}: ${s.code}: ${s.message}\n`);
  if (options.json) {
    // Absent values as null, so every entry has the same keys.
    io.stdout.write(`${JSON.stringify(models, (_key, value) => (value === undefined ? null : value), 2)}\n`);
    return;
  }
  const probe: ProviderName[] = options.probe ? ['cpu', 'cuda', 'webgpu'] : ['cpu', 'cuda'];
  io.stdout.write(renderModelsTable(models, await listProviders({ probe })));
}

export function registerModelsCommand(program: Command, io: CliIo): void {
  program
    .command('models')
    .description(
      'list installed models (embedded and --models-dir) and the execution providers of this build',
    )
    .option('--json', 'print the models as a JSON array (id, task, family, path, mode, lookaheads...)')
    .option(
      '--models-dir <dir>',
      'also list the model directories inside DIR (repeatable; env SPEECHSTREAM_MODELS_DIR, PATH-style)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--probe', 'also try to load webgpu (slower; its driver may print to stderr)')
    .action((opts: ModelsCommandOptions) => runModelsCommand(opts, io));
}

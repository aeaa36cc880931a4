#!/usr/bin/env node
/**
 * The `speechstream` command line. Each subcommand lives in its own module under
 * server/commands/; this file only wires them up and turns coded errors into exit codes.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { toSpeechError } from '../common/errors.js';
import { packageVersion } from '../common/package-info.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerErrorsCommand } from './commands/errors-command.js';

export function buildProgram(): Command {
  const program = new Command('speechstream')
    .description('Self-hosted streaming speech recognition and synthesis on onnxruntime.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)');
  registerConfigCommand(program);
  registerErrorsCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end here too, with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    const coded = toSpeechError(err);
    process.stderr.write(`speechstream: error ${coded.code}: ${coded.message}\n`);
    return coded.exitCode;
  }
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    // npm links bin/speechstream -> dist/server/cli.js; compare resolved paths.
    return realpathSync(invoked) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when executed directly (the npm bin), not when imported by tests.
if (isEntryPoint()) {
  main().then((code) => {
    process.exitCode = code;
  });
}

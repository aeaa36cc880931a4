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
import { registerListenCommand } from './commands/listen-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerSpeakCommand } from './commands/speak-command.js';
import { registerTranscribeCommand } from './commands/transcribe-command.js';
import { type CliIo, processIo } from './output/cli-io.js';

export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('speechstream')
    .description('Self-hosted streaming speech recognition and synthesis on onnxruntime.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    // Before the subcommands exist, so they inherit it: a usage error in a subcommand
    // throws a CommanderError to main() instead of calling process.exit.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerConfigCommand(program);
  registerErrorsCommand(program);
  registerModelsCommand(program, io);
  registerTranscribeCommand(program, io);
  registerListenCommand(program, io);
  registerSpeakCommand(program, io);
  registerServeCommand(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` and returns the exit code: 0, 2 for usage errors, or the
 * catalogue exit code of the error that stopped the command (or of the first error a
 * command reported while carrying on, e.g. one missing file among several).
 */
export async function main(argv: string[] = process.argv, io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return io.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end here too, with code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    const coded = toSpeechError(err);
    io.stderr.write(`speechstream: error ${coded.code}: ${coded.message}\n`);
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

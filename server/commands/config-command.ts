import type { Command } from 'commander';
import { configKeys, envName, flagName, loadConfig, printableConfig } from '../config.js';

/** `speechstream config`: prints the effective configuration and where each key can be set. */
export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (defaults < SPEECHSTREAM_* environment)')
    .option('--keys', 'list every key with its flag and environment variable')
    .action((opts: { keys?: boolean }) => {
      if (opts.keys) {
        for (const key of configKeys) process.stdout.write(`${key}\t--${flagName(key)}\t${envName(key)}\n`);
        return;
      }
      // API keys come from the environment; they are never printed.
      process.stdout.write(`${JSON.stringify(printableConfig(loadConfig()), null, 2)}\n`);
    });
}

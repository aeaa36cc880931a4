import type { Command } from 'commander';
import { errorCatalogue } from '../../common/errors.js';

/** `speechstream errors`: the catalogue of coded errors, for scripts and docs. */
export function registerErrorsCommand(program: Command): void {
  program
    .command('errors')
    .description('list every error code with its HTTP status, WebSocket close code and exit code')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(errorCatalogue, null, 2)}\n`);
        return;
      }
      for (const [code, spec] of Object.entries(errorCatalogue)) {
        process.stdout.write(
          `${code}\thttp ${spec.http}\tws ${spec.ws}\texit ${spec.exit}\t${spec.summary}\n`,
        );
      }
    });
}

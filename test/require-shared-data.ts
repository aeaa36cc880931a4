// vitest global setup. Suites that need ../shared/data (real recordings, Silero VAD) are
// `runIf(haveData())` so a developer without the folder can still run the rest; on CI
// (CI=true) a missing folder must fail the run instead, or those suites would pass by
// skipping.
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function requireSharedData(): void {
  const dataDir = path.resolve(import.meta.dirname, '../../shared/data');
  const needed = [path.join(dataDir, 'clips', 'jfk.wav'), path.join(dataDir, 'fsdd')];
  const missing = needed.filter((p) => !existsSync(p));
  if (process.env.CI === 'true' && missing.length > 0) {
    throw new Error(
      `CI=true but the shared recordings are missing (${missing.join(', ')}); ` +
        'the data-dependent suites would be skipped. Clone the repository beside ../shared.',
    );
  }
}

/**
 * `npm run bench`: runs every benchmark suite in one process and prints its figures.
 * Suites are committed scripts that each export `run()`; pass names to run a subset:
 *   npm run bench -- features
 * Speed is measured here, never asserted in unit tests; comparisons against a peer are
 * made in the same run and printed as ratios because these machines are noisy.
 */
import os from 'node:os';

type Suite = { readonly name: string; readonly load: () => Promise<{ run: () => Promise<unknown> }> };

const suites: readonly Suite[] = [
  { name: 'features', load: () => import('./features.js') },
  { name: 'asr', load: () => import('./asr-streaming.js') },
  { name: 'asr-memory', load: () => import('./asr-memory.js') },
  { name: 'paraformer', load: () => import('./paraformer.js') },
  { name: 'load', load: () => import('./load.js') },
  { name: 'event-loop', load: () => import('./event-loop.js') },
  { name: 'isolation', load: () => import('./isolation.js') },
  { name: 'soak', load: () => import('./soak.js') },
  { name: 'tts-vocoder', load: () => import('./tts-vocoder.js') },
  { name: 'tts', load: () => import('./tts.js') },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length === 0 ? suites : suites.filter((s) => wanted.includes(s.name));
if (selected.length === 0) {
  console.error(`unknown suite(s): ${wanted.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`speechstream benchmarks on ${cpu}, ${os.cpus().length} cores, node ${process.version}`);
for (const suite of selected) {
  console.log(`\n== ${suite.name}`);
  const mod = await suite.load();
  await mod.run();
}

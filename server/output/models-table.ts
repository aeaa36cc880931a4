/**
 * `speechstream models` as text: one block per model, then the execution providers.
 */
import type { ProviderStatus } from '../../models/runtime/index.js';
import type { ModelListing } from '../commands/models-listing.js';

export function renderModelsTable(
  models: readonly ModelListing[],
  providers: readonly ProviderStatus[],
): string {
  const lines: string[] = [];
  if (models.length === 0) {
    lines.push('No models installed (the embedded models are not built yet; add --models-dir DIR).');
  }
  for (const m of models) {
    lines.push(`${m.id}  (${m.task}, ${m.family}, ${m.mode})`);
    lines.push(`  path:       ${m.path}`);
    if (m.lookaheads !== undefined) {
      const choices = m.lookaheads.map((r, i) => `${r} (${m.lookaheadsMs?.[i] ?? r * 80} ms)`);
      lines.push(`  lookaheads: ${choices.join(', ')}`);
    }
    if (m.decoders.length > 0) lines.push(`  decoders:   ${m.decoders.join(', ')}`);
    lines.push(`  features:   ${m.featurePreset}`);
    lines.push(`  licence:    ${m.licence ?? 'unknown'}`);
    lines.push(`  about:      ${m.description}`);
    lines.push('');
  }
  lines.push('Execution providers:');
  for (const p of providers) {
    const state = !p.inBuild
      ? 'not in this build'
      : p.loads === true
        ? 'available'
        : p.loads === false
          ? `unavailable (${p.reason ?? 'no reason given'})`
          : 'in build, not probed';
    lines.push(`  ${p.name.padEnd(9)} ${state}`);
  }
  return `${lines.join('\n')}\n`;
}

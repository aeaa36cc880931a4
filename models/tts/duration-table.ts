import type { DurationTable } from '../../tts/speech/token-timeline.js';
import type { OnnxMetadata } from '../runtime/index.js';
import { metadataInvalid } from './graph-set.js';

/**
 * Metadata `durations` (CONTRACT.md "Positions"): JSON {voices, lead, frames}, one row per
 * voice plus the pooled row "*" last, `vocabSize` mean frames per row. Absent on models
 * trained before the table: they spread text tokens evenly (undefined here).
 */
export function readDurationTable(meta: OnnxMetadata, vocabSize: number): DurationTable | undefined {
  const raw = meta.get('durations');
  if (raw === undefined || raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw metadataInvalid(meta, 'durations', 'is not JSON');
  }
  const { voices, lead, frames } = (value ?? {}) as Record<string, unknown>;
  const rows = Array.isArray(voices) ? voices.length : 0;
  const nonNegative = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (
    rows < 1 ||
    !(voices as unknown[]).every((v) => typeof v === 'string') ||
    (voices as string[])[rows - 1] !== '*' ||
    !Array.isArray(lead) ||
    lead.length !== rows ||
    !lead.every(nonNegative) ||
    !Array.isArray(frames) ||
    frames.length !== rows ||
    !frames.every((r) => Array.isArray(r) && r.length === vocabSize && r.every(nonNegative))
  ) {
    throw metadataInvalid(
      meta,
      'durations',
      `needs {voices (last "*"), lead, frames} with one row per voice and ${vocabSize} non-negative frames per row`,
    );
  }
  return { voices: voices as string[], lead: lead as number[], frames: frames as number[][] };
}

/** The model info's optional `durations` field: spread into the config object as read. */
export function durationsField(meta: OnnxMetadata, vocabSize: number): { durations?: DurationTable } {
  const durations = readDurationTable(meta, vocabSize);
  return durations === undefined ? {} : { durations };
}

import { describe, expect, it } from 'vitest';
import { OnnxMetadata } from '../../../models/runtime/metadata-map.js';
import { readDurationTable } from '../../../models/tts/duration-table.js';
import { planText } from '../../../tts/ardit/length-plan.js';
import { type DurationTable, durationRow, plannedTimeline } from '../../../tts/speech/token-timeline.js';

// Two rows over a 4-token vocabulary: voice "a", then the pooled row.
const table: DurationTable = {
  voices: ['a', '*'],
  lead: [4, 6],
  frames: [
    [0, 2, 4, 6],
    [1, 1, 1, 1],
  ],
};
const bounds = { speed: 1, minRatio: 0.6, maxRatio: 1.5, maxSteps: 1000 };

describe('plannedTimeline', () => {
  it('puts each token at its centre after the leading silence, and ends where the last token ends', () => {
    const line = plannedTimeline(table, 0, [1, 3, 2], 1);
    expect([...line.centres]).toEqual([5, 9, 14]);
    expect(line.total).toBe(16);
    expect(line.lead).toBe(4);
  });

  it('divides every duration by the speed', () => {
    const line = plannedTimeline(table, 0, [1, 3], 2);
    expect([...line.centres]).toEqual([2.5, 4.5]);
    expect(line.total).toBe(6);
  });

  it('falls back to the pooled row for a voice the table does not name', () => {
    expect(durationRow(table, 'a')).toBe(0);
    expect(durationRow(table, 'nobody')).toBe(1);
    expect(durationRow(table, undefined)).toBe(1);
  });
});

describe('planText (ARDiT)', () => {
  it('places the voice token mid-silence and the phones at their centres, in patches', () => {
    const { plan, positions } = planText([1, 3, 2], 4, 5, 2, table, 'a', true, bounds);
    expect([...positions]).toEqual([1, 2.5, 4.5, 7]);
    expect(plan).toEqual({ planned: 8, minSteps: 5, maxSteps: 12 });
  });

  it('spreads tokens evenly over frames_per_phone when the model has no table', () => {
    const { plan, positions } = planText([1, 3], 2, 4, 2, undefined, undefined, false, bounds);
    expect(plan.planned).toBe(4);
    expect([...positions]).toEqual([1, 3]);
  });
});

describe('readDurationTable', () => {
  const meta = (value: string) => new OnnxMetadata('m.onnx', [['durations', value]]);
  const good = {
    voices: ['a', '*'],
    lead: [1, 2],
    frames: [
      [1, 2],
      [3, 4],
    ],
  };

  it('reads a well-formed table and treats a missing key as none', () => {
    expect(readDurationTable(meta(JSON.stringify(good)), 2)).toEqual(good);
    expect(readDurationTable(new OnnxMetadata('m.onnx', []), 2)).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['a row of the wrong length', JSON.stringify({ ...good, frames: [[1], [3, 4]] })],
    [
      'a negative duration',
      JSON.stringify({
        ...good,
        frames: [
          [1, -2],
          [3, 4],
        ],
      }),
    ],
    ['no pooled row last', JSON.stringify({ ...good, voices: ['a', 'b'] })],
    ['lead rows missing', JSON.stringify({ ...good, lead: [1] })],
  ])('rejects %s with MODEL_METADATA_INVALID', (_, value) => {
    expect(() => readDurationTable(meta(value), 2)).toThrow(
      expect.objectContaining({ code: 'MODEL_METADATA_INVALID' }),
    );
  });
});

/**
 * Where each text token sits on the audio timeline, planned from a duration table.
 *
 * Both TTS families give their text tokens RoPE positions on the audio timeline. Models
 * trained with a duration table (models/py/tts/data/token_durations.py) saw every token at
 * its aligned centre, so inference places tokens at the centres a per-voice table of mean
 * durations predicts, and the planned length is where the last token ends. Mirrors
 * token_durations.py `planned_timeline` operation for operation (float64, same order), so
 * the positions PyTorch and TypeScript feed the graphs are the same float32 values.
 */
export interface DurationTable {
  /** Row names: a voice each, the last "*" (all voices pooled). */
  readonly voices: readonly string[];
  /** Mean leading-silence frames per row. */
  readonly lead: readonly number[];
  /** Mean frames per token id, per row. */
  readonly frames: readonly (readonly number[])[];
}

export interface Timeline {
  /** Token centres, in frames from the start. */
  readonly centres: Float64Array;
  /** Where the last token ends, in frames. */
  readonly total: number;
  /** Leading silence, in frames. */
  readonly lead: number;
}

/** The row of a voice name: its own, else the pooled row (the last). */
export function durationRow(table: DurationTable, voice: string | undefined): number {
  const i = voice === undefined ? -1 : table.voices.indexOf(voice);
  return i >= 0 ? i : table.voices.length - 1;
}

export function plannedTimeline(
  table: DurationTable,
  row: number,
  ids: readonly number[],
  speed: number,
): Timeline {
  const frames = table.frames[row]!;
  const lead = table.lead[row]! / speed;
  let start = lead;
  const centres = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const d = frames[ids[i]!]! / speed;
    centres[i] = start + d / 2;
    start = start + d;
  }
  return { centres, total: start, lead };
}

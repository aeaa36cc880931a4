import type { SegmentResult } from '../recognizer.js';

/** Why a segment was closed. */
export type FinalReason = 'endpoint' | 'finalize' | 'end-of-input';

/** What a live transcription session reports, in order, per stream. */
export type AsrEvent =
  /** The current segment's text changed (interim result). */
  | { readonly type: 'partial'; readonly result: SegmentResult }
  /**
   * A segment ended. `pass` says which model wrote it: the streaming model itself, or
   * the offline model re-decoding the segment's audio (2-pass); `online` keeps the
   * streaming text the final replaced.
   */
  | {
      readonly type: 'final';
      readonly result: SegmentResult;
      readonly pass: 'online' | 'offline';
      readonly reason: FinalReason;
      readonly online?: SegmentResult;
    }
  /** First speech (first decoded token) of a segment, seconds from stream start. */
  | { readonly type: 'speech-started'; readonly time: number }
  /** A segment with speech ended; `lastWordEnd` in seconds from stream start. */
  | { readonly type: 'utterance-end'; readonly lastWordEnd: number }
  /** The stream ended (after end of input): every final was delivered; always the last event. */
  | { readonly type: 'end' };

// Shared by the fuzz suites: coded-error extraction that lets anything else fail the
// test with its own stack, and byte splitting for chunking invariance.
import { isSpeechError } from '../../common/errors.js';

/**
 * The SpeechError code of a thrown value (or of what `fn` throws; undefined when it
 * returns). Anything that is not a SpeechError is re-thrown: that is the bug a fuzz
 * property looks for.
 */
export function codeOf(errOrFn: unknown): string | undefined {
  if (typeof errOrFn === 'function') {
    try {
      (errOrFn as () => unknown)();
      return undefined;
    } catch (err) {
      return codeOf(err);
    }
  }
  if (isSpeechError(errOrFn)) return errOrFn.code;
  throw errOrFn;
}

/** `bytes` cut at the given offsets (taken modulo its length, any order, duplicates allowed). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort(
    (a, b) => a - b,
  );
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(bytes.subarray(from, p));
    from = p;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

/** The bytes of splitAt's pieces, concatenated (tests the splitter). */
export function checkedChunks(bytes: Uint8Array, cuts: readonly number[]): number[] {
  return splitAt(bytes, cuts).flatMap((p) => Array.from(p));
}

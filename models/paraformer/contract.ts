import { SpeechError } from '../../common/errors.js';
import type { ModelSession } from '../runtime/index.js';

/**
 * Checks shared by the Paraformer runners: sherpa binds inputs and outputs by position
 * (contract 0.1), so the runners check dtypes and static dims by position too, once at
 * load, and name the graph value in the error.
 */

export function contractError(session: ModelSession, why: string, details: Record<string, unknown> = {}) {
  return new SpeechError('MODEL_CONTRACT_MISMATCH', `${session.label}: ${why}`, {
    model: session.label,
    ...details,
  });
}

/** Input or output `index` must have `dtype` and, where the graph declares a number, `dims`. */
export function expectValue(
  session: ModelSession,
  side: 'input' | 'output',
  index: number,
  dtype: string,
  dims: readonly (number | undefined)[],
): void {
  const values = side === 'input' ? session.inputs : session.outputs;
  const v = values[index];
  if (v === undefined) {
    throw contractError(session, `${side} ${index} is missing (the graph has ${values.length})`, {
      side,
      index,
    });
  }
  if (v.dtype !== dtype) {
    throw contractError(session, `${side} ${index} '${v.name}' is ${v.dtype}, expected ${dtype}`, {
      side,
      index,
      name: v.name,
      expected: dtype,
      actual: v.dtype,
    });
  }
  if (v.dims === undefined) return;
  if (v.dims.length !== dims.length) {
    throw contractError(
      session,
      `${side} ${index} '${v.name}' has rank ${v.dims.length}, expected ${dims.length}`,
      { side, index, name: v.name, dims: v.dims },
    );
  }
  dims.forEach((want, axis) => {
    const got = v.dims?.[axis];
    if (want !== undefined && typeof got === 'number' && got !== want) {
      throw contractError(
        session,
        `${side} ${index} '${v.name}' has dim ${axis} = ${got}, expected ${want}`,
        { side, index, name: v.name, axis, expected: want, actual: got },
      );
    }
  });
}

/** An output tensor's dims must be exactly `dims` (after a run). */
export function expectDims(
  session: ModelSession,
  what: string,
  got: readonly number[],
  dims: readonly number[],
): void {
  if (got.length !== dims.length || got.some((d, i) => d !== dims[i])) {
    throw contractError(session, `${what} has dims [${got.join(',')}], expected [${dims.join(',')}]`, {
      what,
      expected: dims,
      actual: got,
    });
  }
}

import { SpeechError } from '../../common/errors.js';
import type { OnnxValueInfo } from './onnx-metadata.js';
import { describeTensor, type ModelTensor } from './tensor.js';

/**
 * Checks feeds against a session's declared inputs before onnxruntime sees them, so a
 * mistake names the input and both shapes instead of surfacing as a kernel error deep
 * in the graph. Symbolic dims accept any size, and are not compared across inputs:
 * exporters reuse names loosely (a 'T' for frames in one input and for cache length in
 * another), and onnxruntime itself does not enforce them.
 */
export function checkFeeds(
  model: string,
  inputs: readonly OnnxValueInfo[],
  feeds: Readonly<Record<string, ModelTensor>>,
): void {
  // Runs on every model call, so the happy path builds no strings and no closures.
  for (const name in feeds) {
    if (!Object.hasOwn(feeds, name)) continue;
    if (!inputs.some((i) => i.name === name)) {
      const unknown = Object.keys(feeds).filter((n) => !inputs.some((i) => i.name === n));
      throw new SpeechError(
        'MODEL_FEED_INVALID',
        `${model}: unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
          `the model's inputs are ${inputs.map(describeInput).join(', ')}`,
        { model, unknown, expected: inputs.map(describeInput) },
      );
    }
  }
  for (const input of inputs) {
    const feed = Object.hasOwn(feeds, input.name) ? feeds[input.name] : undefined;
    if (feed === undefined)
      throw feedError(model, input, feed, `is missing (expected ${describeInput(input)})`);
    if (!isTensorLike(feed)) throw feedError(model, input, feed, 'is not a tensor');
    const dims = input.dims;
    if (dims === undefined) continue; // a non-tensor input or an unknown shape: nothing to check
    if (feed.type !== input.dtype) throw mismatch(model, input, feed, 'wrong dtype');
    if (feed.dims.length !== dims.length) throw mismatch(model, input, feed, 'wrong rank');
    for (let axis = 0; axis < dims.length; axis++) {
      const dim = dims[axis];
      if (typeof dim === 'number' && feed.dims[axis] !== dim) {
        throw mismatch(model, input, feed, `dim ${axis} must be ${dim}`);
      }
    }
  }
}

function feedError(model: string, input: OnnxValueInfo, feed: unknown, why: string): SpeechError {
  return new SpeechError('MODEL_FEED_INVALID', `${model}: input '${input.name}' ${why}`, {
    model,
    input: input.name,
    expected: describeInput(input),
    actual: feed === undefined ? null : safeDescribe(feed),
  });
}

function mismatch(model: string, input: OnnxValueInfo, feed: ModelTensor, why: string): SpeechError {
  return feedError(
    model,
    input,
    feed,
    `expects ${describeInput(input)}, got ${describeTensor(feed)} (${why})`,
  );
}

/** 'float32[B,80,T]'; an unnamed dynamic dim shows as '?'. */
export function describeInput(info: OnnxValueInfo): string {
  if (info.dims === undefined) return `${info.name}: ${info.dtype}`;
  return `${info.dtype}[${info.dims.map((d) => (d === '' ? '?' : d)).join(',')}]`;
}

function isTensorLike(value: unknown): value is ModelTensor {
  const v = value as ModelTensor | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && Array.isArray(v.dims);
}

function safeDescribe(value: unknown): string {
  return isTensorLike(value) ? describeTensor(value) : typeof value;
}

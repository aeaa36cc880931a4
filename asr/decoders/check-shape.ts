import { SpeechError } from '../../common/errors.js';

/**
 * Number of rows in a flat [T, V] tensor. A length that is not a multiple of V means
 * the model's output does not match the vocabulary the decoder was given.
 */
export function rowCount(data: Float32Array, vocabSize: number, what: string): number {
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) {
    throw new SpeechError('MODEL_CONTRACT_MISMATCH', `${what}: vocabulary size must be a positive integer`, {
      vocabSize,
    });
  }
  if (data.length % vocabSize !== 0) {
    throw new SpeechError(
      'MODEL_CONTRACT_MISMATCH',
      `${what}: ${data.length} values are not a whole number of rows of ${vocabSize}`,
      { length: data.length, vocabSize },
    );
  }
  return data.length / vocabSize;
}

/** A special id (blank, eos) must index into the model's output row. */
export function checkTokenId(id: number, vocabSize: number, name: string, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new SpeechError(
      'MODEL_TOKENS_INVALID',
      `${what}: ${name} id ${id} is outside the output row 0..${vocabSize - 1}`,
      {
        [name]: id,
        vocabSize,
      },
    );
  }
}

/** Decoder options that must be positive integers (beam sizes, symbol caps). */
export function checkPositiveInt(value: number, name: string, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new SpeechError('CONFIG_INVALID', `${what}: ${name} must be a positive integer, got ${value}`, {
      [name]: value,
    });
  }
}

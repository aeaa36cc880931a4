import type { RecognizerStream, StreamingRecognizer, StreamOptions } from '../../../../asr/recognizer.js';

/** One stream fed the whole clip at once, decoded to its flush; its final tokens. */
export async function decodeWhole<S extends RecognizerStream>(
  recognizer: StreamingRecognizer<S>,
  samples: Float32Array,
  options?: StreamOptions,
): Promise<number[]> {
  const stream = recognizer.createStream(options);
  stream.acceptAudio(samples);
  stream.inputFinished();
  while (recognizer.isReady(stream)) await recognizer.decode([stream]);
  const tokens = [...recognizer.result(stream).tokens];
  stream.close();
  return tokens;
}

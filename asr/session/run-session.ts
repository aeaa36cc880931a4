/**
 * Drives one session over an audio source to the end: the simple single-stream loop the
 * CLI uses (the server batches many sessions through its scheduler instead).
 */
import type { RecognizerStream, StreamingRecognizer } from '../recognizer.js';
import type { AsrEvent } from './asr-events.js';
import type { AsrSession } from './asr-session.js';

/** Decodes every ready window of the session's stream and collects the events. */
export async function pump<S extends RecognizerStream>(
  recognizer: StreamingRecognizer<S>,
  session: AsrSession<S>,
  onEvent: (event: AsrEvent) => void | Promise<void>,
): Promise<void> {
  for (;;) {
    if (session.wantsDecode) await recognizer.decode([session.stream]);
    for (const event of await session.update()) await onEvent(event);
    if (!session.wantsDecode) return;
  }
}

/** Feeds `audio` (mono float32 at the recognizer's rate) through the session, then ends it. */
export async function runSession<S extends RecognizerStream>(
  recognizer: StreamingRecognizer<S>,
  session: AsrSession<S>,
  audio: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  onEvent: (event: AsrEvent) => void | Promise<void>,
): Promise<void> {
  for await (const chunk of audio) {
    session.acceptAudio(chunk);
    await pump(recognizer, session, onEvent);
  }
  session.end();
  await pump(recognizer, session, onEvent);
}

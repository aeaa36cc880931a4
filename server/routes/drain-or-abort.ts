import { SpeechError } from '../../common/errors.js';

/**
 * Shutdown for one HTTP request in flight (an upload, a speech response): resolves once the
 * request settles (the caller stores `settle` and calls it then), or aborts it with
 * SERVER_SHUTTING_DOWN and resolves when `timeoutMs` runs out first.
 */
export function drainOrAbort(
  abort: AbortController,
  timeoutMs: number,
  onSettle: (settle: () => void) => void,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      abort.abort(new SpeechError('SERVER_SHUTTING_DOWN', 'the server is shutting down'));
      resolve();
    }, timeoutMs);
    onSettle(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

import type { AsrEvent } from '../../../../asr/session/asr-events.js';

/** Engine session handlers that gather every event and settle `done` at the `end` event. */
export function collectEvents() {
  const events: AsrEvent[] = [];
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  return {
    events,
    done,
    handlers: {
      onEvents(batch: readonly AsrEvent[]) {
        events.push(...batch);
        if (batch.some((e) => e.type === 'end')) resolveDone();
      },
      onError(err: Error) {
        throw err;
      },
    },
  };
}

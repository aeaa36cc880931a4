import { describe, expect, it } from 'vitest';
import { isSpeechError } from '../../../common/errors.js';
import { SpeechSlots } from '../../../server/tts/speech-slots.js';

describe('SpeechSlots (bounded synthesis admission)', () => {
  it('grants up to the concurrency at once, queues up to the queue, refuses beyond with a coded error', async () => {
    const slots = new SpeechSlots(2, 1);
    const a = await slots.acquire();
    const b = await slots.acquire();
    expect(slots.active).toBe(2);
    let cGranted = false;
    const c = slots.acquire().then((release) => {
      cGranted = true;
      return release;
    });
    expect(slots.waiting).toBe(1);
    const refused = await slots.acquire().catch((e: unknown) => e);
    expect(isSpeechError(refused, 'LIMIT_TOO_MANY_CONNECTIONS')).toBe(true);
    expect((refused as { httpStatus: number }).httpStatus).toBe(503);
    a();
    const releaseC = await c;
    expect(cGranted).toBe(true);
    expect(slots.active).toBe(2);
    expect(slots.waiting).toBe(0);
    b();
    releaseC();
    expect(slots.active).toBe(0);
  });

  it('serves waiters first come, first served', async () => {
    const slots = new SpeechSlots(1, 3);
    const first = await slots.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      slots.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(slots.active).toBe(0);
  });

  it('an aborted waiter leaves the queue and never takes a slot', async () => {
    const slots = new SpeechSlots(1, 2);
    const held = await slots.acquire();
    const abort = new AbortController();
    const reason = new Error('client gone');
    const waiting = slots.acquire(abort.signal).catch((e: unknown) => e);
    expect(slots.waiting).toBe(1);
    abort.abort(reason);
    expect(await waiting).toBe(reason);
    expect(slots.waiting).toBe(0);
    held();
    expect(slots.active).toBe(0);
    // An already-aborted signal is refused without queueing.
    expect(await slots.acquire(abort.signal).catch((e: unknown) => e)).toBe(reason);
  });

  it('a release is idempotent', async () => {
    const slots = new SpeechSlots(1, 0);
    const release = await slots.acquire();
    release();
    release();
    expect(slots.active).toBe(0);
    const again = await slots.acquire();
    expect(slots.active).toBe(1);
    again();
  });
});

/**
 * What every live WebSocket transcription route shares, whatever its wire protocol: one
 * connection = one engine session; client audio becomes model audio once (LiveAudioInput)
 * and is transferred to the engine worker; and the same limits and lifetimes everywhere:
 * - ordering: audio and actions that arrive while the engine session is opening, or
 *   while the protocol holds the stream (waiting for a segment it closed), wait in one
 *   bounded queue and run in arrival order; the socket pauses while the queue is full;
 * - backpressure: the socket pauses while the engine is behind (session.overloaded) and
 *   resumes on the engine's drain, and while the client is over its message budget (a
 *   flood of control messages would otherwise take the event loop from every session);
 * - limits: session length, idle timeout, send-buffer size (slow consumer), each a coded
 *   error in the protocol's own error shape before the close;
 * - shutdown: the server drains every connection (the protocol delivers its last
 *   results), then closes it with 1001; `close` is idempotent.
 * Protocols (listen-route.ts, realtime-route.ts) subclass it and map engine events and
 * client messages onto their messages.
 */
import type { WebSocket } from 'ws';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import { SpeechError, toSpeechError } from '../../common/errors.js';
import type { LiveAudioInput } from '../../streaming/live-audio-input.js';
import { ArrivalClock } from '../arrival-clock.js';
import type { EngineSession } from '../engine/engine-client.js';
import type { SessionSpec } from '../engine/engine-protocol.js';
import type { ServerContext } from '../server-context.js';

/** Audio bytes, or an action that must run after the audio queued before it. */
type Pending = Uint8Array | (() => void);

/**
 * What one connection may make the server parse: MESSAGE_RATE tokens a second, in bursts of
 * up to MESSAGE_BURST. A message costs one token, plus one per 4 KiB of text (JSON is what is
 * expensive to parse) or per 64 KiB of audio. Over budget, the socket is not read until the
 * budget is back: the client gets TCP backpressure, not an error.
 */
const MESSAGE_RATE = 250;
const MESSAGE_BURST = 500;

/** How long a closed connection waits for the client's close frame before it is cut. */
const CLOSE_GRACE_MS = 2000;

export abstract class LiveConnection {
  protected session: EngineSession | undefined;
  /** Set once the client may send nothing more (end of stream requested, or draining). */
  protected closing = false;
  #input: LiveAudioInput;
  readonly #clock = new ArrivalClock();
  readonly #queue: Pending[] = [];
  #queuedBytes = 0;
  #idle: NodeJS.Timeout | undefined;
  #tokens = MESSAGE_BURST;
  #refilledAt = performance.now();
  /** Set while the client is over its message budget. */
  #throttle: NodeJS.Timeout | undefined;
  #closed = false;
  #finished: (() => void) | undefined;
  readonly #handle = { drain: (timeoutMs: number) => this.drain(timeoutMs) };

  constructor(
    protected readonly socket: WebSocket,
    protected readonly ctx: ServerContext,
    /** Metrics label. */
    readonly protocol: string,
    protected readonly httpRequestId: string,
    input: LiveAudioInput,
  ) {
    this.#input = input;
  }

  // --- what a protocol provides --------------------------------------------------

  /** The engine session is open (queued audio and actions run right after). */
  protected abstract onOpened(): void;
  /** A text frame (the connection is open and not closing). */
  protected abstract onText(text: string): void;
  /** A binary frame (the connection is open and not closing). */
  protected abstract onBinary(data: Buffer): void;
  protected abstract onEvents(events: readonly AsrEvent[], decodedSeconds: number): void;
  /** The protocol's error message for a coded error. */
  protected abstract errorMessage(err: SpeechError): unknown;
  /**
   * Shutdown: make the engine deliver the last results; the protocol calls `finished()`
   * (or closes) once they are out. `closing` is already set.
   */
  protected abstract beginDrain(): void;

  /** True while the protocol wants audio and actions held back (see `submit`). */
  protected holding(): boolean {
    return false;
  }

  // --- lifecycle ---------------------------------------------------------------------

  start(spec: SessionSpec): void {
    const { ctx, socket } = this;
    ctx.connections.add(this.#handle);
    ctx.metrics.activeSessions.inc({ protocol: this.protocol });
    ctx.metrics.sessionsTotal.inc({ protocol: this.protocol });
    socket.on('message', (data, isBinary) => {
      if (this.#closed || this.closing) return;
      this.charge((data as Buffer).length, isBinary);
      // A throw here would escape into ws's receiver and take the whole process down: a bug
      // in one session's handling ends that session with its coded error instead.
      try {
        if (isBinary) this.onBinary(data as Buffer);
        else this.onText((data as Buffer).toString('utf8'));
      } catch (err) {
        this.fail(toSpeechError(err));
      }
    });
    socket.on('close', () => this.cleanup());
    socket.on('error', () => this.cleanup());
    this.armIdle();
    ctx.engine
      .openSession(spec, {
        onEvents: (events, decodedSeconds) => {
          if (!this.#closed) this.onEvents(events, decodedSeconds);
        },
        onError: (err) => this.fail(err),
        onDrain: () => this.resumeIfReady(),
      })
      .then((session) => {
        if (this.#closed) {
          session.close();
          return;
        }
        this.session = session;
        this.onOpened();
        this.release();
      })
      .catch((err) => this.fail(toSpeechError(err)));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The server is shutting down and waits for this connection's last results. */
  protected get draining(): boolean {
    return this.#finished !== undefined;
  }

  /** Client audio received so far (seconds). */
  protected get inputSeconds(): number {
    return this.#input.seconds;
  }

  protected get input(): LiveAudioInput {
    return this.#input;
  }

  // --- audio and ordering ------------------------------------------------------------

  private get queueLimit(): number {
    return 4 * this.ctx.limits.maxFrameBytes;
  }

  private get held(): boolean {
    return this.session === undefined || this.holding();
  }

  /** Client audio bytes in the input's format: converted and sent now, or queued. */
  protected submitAudio(bytes: Uint8Array): void {
    if (this.held) {
      // The socket's Buffer may be reused by ws once we return: keep a copy.
      this.#queue.push(new Uint8Array(bytes));
      this.#queuedBytes += bytes.length;
      if (this.#queuedBytes > this.queueLimit) this.socket.pause();
      return;
    }
    this.pushAudio(bytes);
  }

  /** Runs `action` now, or after everything queued before it. */
  protected submit(action: () => void): void {
    if (this.held) this.#queue.push(action);
    else action();
  }

  /** Runs what was queued until the protocol holds again (call when it stops holding). */
  protected release(): void {
    while (this.#queue.length > 0 && !this.held && !this.#closed) {
      const next = this.#queue.shift()!;
      if (typeof next === 'function') next();
      else {
        this.#queuedBytes -= next.length;
        this.pushAudio(next);
      }
    }
    if (this.session !== undefined) this.resumeIfReady();
  }

  /** Reads the client again unless the queue is full, the engine behind or the budget spent. */
  private resumeIfReady(): void {
    if (this.#closed || this.#throttle !== undefined || this.#queuedBytes > this.queueLimit) return;
    if (this.session?.overloaded) return;
    this.socket.resume();
  }

  /** Takes a message's cost from the budget; over budget, stops reading until it refills. */
  private charge(bytes: number, isBinary: boolean): void {
    const now = performance.now();
    this.#tokens = Math.min(MESSAGE_BURST, this.#tokens + ((now - this.#refilledAt) / 1000) * MESSAGE_RATE);
    this.#refilledAt = now;
    this.#tokens -= 1 + Math.floor(bytes / (isBinary ? 65536 : 4096));
    if (this.#tokens >= 0 || this.#throttle !== undefined) return;
    this.socket.pause();
    // Not reading the client is our doing: it does not count as the client being idle.
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#throttle = setTimeout(
      () => {
        this.#throttle = undefined;
        this.armIdle();
        this.resumeIfReady();
      },
      Math.ceil((-this.#tokens / MESSAGE_RATE) * 1000),
    );
  }

  /** Switches the input format: what the old one still holds goes to the session first. */
  protected replaceInput(input: LiveAudioInput): void {
    this.flushInput();
    this.#input = input;
  }

  /** End of a stretch of input: the resampler's tail goes to the session. */
  protected flushInput(): void {
    this.sendAudio(this.#input.flush());
  }

  private pushAudio(bytes: Uint8Array): void {
    let samples: Float32Array;
    try {
      samples = this.#input.push(bytes);
    } catch (err) {
      this.fail(toSpeechError(err));
      return;
    }
    if (this.#input.seconds > this.ctx.limits.maxSessionSeconds) {
      this.fail(
        new SpeechError(
          'LIMIT_SESSION_TOO_LONG',
          `the session sent more than ${this.ctx.limits.maxSessionSeconds} s of audio`,
        ),
      );
      return;
    }
    this.sendAudio(samples);
  }

  private sendAudio(samples: Float32Array): void {
    const session = this.session;
    if (session === undefined || samples.length === 0) return;
    this.#clock.record(samples.length / this.ctx.engine.sampleRate, performance.now());
    session.sendAudio(samples);
    // TCP backpressure: stop reading the client while the engine is behind.
    if (session.overloaded) this.socket.pause();
  }

  protected observeLatency(kind: 'partial' | 'final', decodedSeconds: number): void {
    const arrived = this.#clock.arrivalOf(decodedSeconds);
    if (arrived === undefined) return;
    const seconds = (performance.now() - arrived) / 1000;
    (kind === 'partial' ? this.ctx.metrics.partialLatency : this.ctx.metrics.finalLatency).observe(seconds);
  }

  /** A client that does not read gets no more optional messages (partials). */
  protected get clientBehind(): boolean {
    return this.socket.bufferedAmount > this.ctx.limits.maxSendBufferBytes / 4;
  }

  // --- limits, errors, closing -----------------------------------------------------------

  /** Any sign of life from the client restarts the idle timer. */
  protected armIdle(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.fail(
        new SpeechError(
          'LIMIT_IDLE_TIMEOUT',
          `no audio or client message for ${this.ctx.limits.idleTimeoutMs} ms`,
        ),
      );
    }, this.ctx.limits.idleTimeoutMs);
  }

  protected send(message: unknown): void {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.ctx.limits.maxSendBufferBytes) {
      const err = new SpeechError(
        'LIMIT_SLOW_CONSUMER',
        `${this.socket.bufferedAmount} bytes are waiting for the client to read them`,
      );
      this.ctx.metrics.errors.inc({ code: err.code });
      this.shutdown(err.wsCloseCode, err.code);
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  /** A coded error the session survives (a bad client message). */
  protected error(err: SpeechError): void {
    this.ctx.metrics.errors.inc({ code: err.code });
    this.send(this.errorMessage(err));
  }

  /** A coded error that ends the session: the error message, then the catalogue's close code. */
  protected fail(err: SpeechError): void {
    if (this.#closed) return;
    this.error(err);
    this.ctx.log.info(
      { reqId: this.httpRequestId, code: err.code, protocol: this.protocol },
      'live session ended by error',
    );
    this.shutdown(err.wsCloseCode, err.code);
  }

  /** Server shutdown: the protocol delivers its last results, then the socket closes. */
  private drain(timeoutMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.shutdown(1001, 'server shutting down');
        resolve();
      }, timeoutMs);
      this.#finished = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.session === undefined) {
        this.shutdown(1001, 'server shutting down');
        return;
      }
      this.closing = true;
      this.beginDrain();
    });
  }

  protected shutdown(code: number, reason: string): void {
    if (this.#closed) return;
    const flooding = this.#throttle !== undefined;
    const socket = this.socket;
    if (socket.readyState === socket.OPEN) socket.close(code, reason.slice(0, 120));
    this.cleanup();
    // The client's close frame must be read to finish the close (what comes before it is
    // ignored now), unless the client is over its message budget: a flood is not read again.
    if (!flooding) socket.resume();
    // A client that does not answer the close soon (it does not read, or floods) is cut off
    // rather than held, and read, until ws's own 30 s close timeout.
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finished?.();
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    if (this.#throttle !== undefined) clearTimeout(this.#throttle);
    this.session?.close();
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.ctx.connections.delete(this.#handle);
    this.ctx.metrics.activeSessions.dec({ protocol: this.protocol });
  }
}

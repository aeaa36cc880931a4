/**
 * One live transcription session over a shared streaming recognizer: it owns the
 * stream, turns decoder state into typed events (partials, finals, speech start,
 * utterance end), closes segments at endpoints, honours a client Finalize, and in
 * 2-pass mode re-decodes each finished segment's audio with an offline model whose
 * final replaces the streaming partials.
 *
 * Decoding itself is driven from outside (a scheduler batching many sessions, or the
 * CLI's loop): call `update()` after every decode that included `stream`, and after
 * `finalize()` / `end()`.
 */
import { SpeechError } from '../../common/errors.js';
import type {
  OfflineRecognizer,
  RecognizerStream,
  SegmentResult,
  StreamingDecoderChoice,
  StreamingRecognizer,
  StreamOptions,
  StreamReconfiguration,
} from '../recognizer.js';
import type { AsrResult } from '../text/asr-result.js';
import { voteResults } from '../text/word-vote.js';
import type { AsrEvent, FinalReason } from './asr-events.js';
import { SegmentAudio } from './segment-audio.js';

export interface AsrSessionOptions {
  readonly stream?: StreamOptions;
  /** Emit partial events when the current segment's text changes (default true). */
  readonly interimResults?: boolean;
  /** Offline recognizer for the second pass at each endpoint (2-pass mode). */
  readonly secondPass?: OfflineRecognizer;
  /** Audio kept for the second pass (default 40 s: twice the default 20 s utterance cap). */
  readonly secondPassSeconds?: number;
  /** Extra audio before the segment given to the second pass (default 0.2 s). */
  readonly secondPassLeadSeconds?: number;
  /**
   * How the second pass makes the final: 'replace' (its transcript is the final) or
   * 'vote' (a word-level vote among the second pass and the streaming model's CTC and
   * RNN-T heads, the second pass the pivot; see asr/text/word-vote.ts). 'vote' runs the
   * stream with the hybrid decoder, so it needs a model with both heads. Default 'replace'.
   * (On the digits models the second pass as pivot beat CTC as pivot on both evaluation
   * sets; CTC as pivot was worse than 'replace' on the real speaker.)
   */
  readonly secondPassCombine?: SecondPassCombine;
}

export type SecondPassCombine = 'replace' | 'vote';

export class AsrSession<S extends RecognizerStream = RecognizerStream> {
  readonly stream: S;
  readonly #recognizer: StreamingRecognizer<S>;
  readonly #interim: boolean;
  readonly #secondPass: OfflineRecognizer | undefined;
  readonly #vote: boolean;
  readonly #audio: SegmentAudio | undefined;
  readonly #leadSamples: number;
  readonly #rate: number;
  /** Silence fed for client Finalize requests (stream seconds), removed from reported times. */
  readonly #insertions: { readonly at: number; readonly seconds: number }[] = [];
  #pendingFinalize = false;
  #ended = false;
  #done = false;
  #speechStarted = false;
  #lastPartial = '';

  constructor(recognizer: StreamingRecognizer<S>, options: AsrSessionOptions = {}) {
    this.#recognizer = recognizer;
    this.#vote = options.secondPass !== undefined && options.secondPassCombine === 'vote';
    this.stream = recognizer.createStream(
      this.#vote ? voteStreamOptions(recognizer, options.stream) : options.stream,
    );
    this.#interim = options.interimResults ?? true;
    this.#secondPass = options.secondPass;
    this.#rate = recognizer.info.sampleRate;
    if (this.#secondPass !== undefined) {
      if (this.#secondPass.info.sampleRate !== this.#rate) {
        throw new SpeechError(
          'ASR_UNSUPPORTED_OPTION',
          `second-pass model runs at ${this.#secondPass.info.sampleRate} Hz, the streaming model at ${this.#rate} Hz`,
        );
      }
      this.#audio = new SegmentAudio((options.secondPassSeconds ?? 40) * this.#rate);
    }
    this.#leadSamples = Math.round((options.secondPassLeadSeconds ?? 0.2) * this.#rate);
  }

  /** Mono float32 at the recognizer's rate. */
  acceptAudio(samples: Float32Array): void {
    if (this.#ended) throw new SpeechError('ASR_STREAM_CLOSED', 'audio after end of input');
    this.stream.acceptAudio(samples);
    this.#audio?.push(samples);
  }

  /** Whether the stream has a window ready for the next decode. */
  get wantsDecode(): boolean {
    return !this.#done && this.#recognizer.isReady(this.stream);
  }

  /** Ended and every final delivered. */
  get done(): boolean {
    return this.#done;
  }

  /** Client Finalize: decode what was received and close the segment now. */
  finalize(): void {
    if (this.#ended || this.#pendingFinalize) return;
    const pad = this.stream.flushPaddingSamples;
    if (pad > 0) {
      const at = this.streamSeconds();
      const zeros = new Float32Array(pad);
      this.stream.acceptAudio(zeros);
      this.#audio?.push(zeros);
      this.#insertions.push({ at, seconds: pad / this.#rate });
    }
    this.#pendingFinalize = true;
  }

  /** Hotwords (from the next segment) and endpoint rules (at once), mid-stream. */
  reconfigure(options: StreamReconfiguration): void {
    if (this.#recognizer.reconfigure === undefined) {
      throw new SpeechError(
        'ASR_UNSUPPORTED_OPTION',
        `${this.#recognizer.info.id} cannot be reconfigured mid-stream`,
      );
    }
    this.#recognizer.reconfigure(this.stream, options);
  }

  /** No more audio: the tail is decoded and the last segment closed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.stream.inputFinished();
  }

  /** Events produced since the last call; cheap when nothing changed. */
  async update(): Promise<AsrEvent[]> {
    if (this.#done) return [];
    const events: AsrEvent[] = [];
    const idle = !this.#recognizer.isReady(this.stream);
    if (this.#ended && idle) {
      await this.closeSegment('end-of-input', events);
      this.#done = true;
      events.push({ type: 'end' });
      return events;
    }
    if (this.#pendingFinalize && idle) {
      this.#pendingFinalize = false;
      await this.closeSegment('finalize', events);
      return events;
    }
    const current = this.current();
    this.noteSpeech(current, events);
    if (this.#recognizer.isEndpoint(this.stream)) {
      await this.closeSegment('endpoint', events);
    } else if (this.#interim && current.text !== this.#lastPartial) {
      this.#lastPartial = current.text;
      events.push({ type: 'partial', result: current });
    }
    return events;
  }

  close(): void {
    this.#done = true;
    this.stream.close();
  }

  // -------------------------------------------------------------------------------

  /** The recognizer's result with Finalize silence taken out of its times. */
  private current(): SegmentResult {
    return this.toAudioTime(this.#recognizer.result(this.stream));
  }

  /** Stream seconds (what the recognizer counts) accepted so far, padding included. */
  private streamSeconds(): number {
    return this.stream.secondsAccepted;
  }

  /** Maps stream time to the client's audio time: inserted silence collapses to its start. */
  private audioTime(t: number): number {
    let out = t;
    for (const { at, seconds } of this.#insertions) {
      if (t >= at + seconds) out -= seconds;
      else if (t > at) out -= t - at;
    }
    return out;
  }

  private toAudioTime(result: SegmentResult): SegmentResult {
    if (this.#insertions.length === 0) return result;
    const map = (t: number) => this.audioTime(t);
    return {
      ...result,
      segmentStart: map(result.segmentStart),
      timestamps: result.timestamps.map(map),
      words: result.words.map((w) => ({ ...w, start: map(w.start), end: map(w.end) })),
    };
  }

  private noteSpeech(result: SegmentResult, events: AsrEvent[]): void {
    if (!this.#speechStarted && result.tokens.length > 0) {
      this.#speechStarted = true;
      events.push({ type: 'speech-started', time: result.timestamps[0] ?? result.segmentStart });
    }
  }

  private async closeSegment(reason: FinalReason, events: AsrEvent[]): Promise<void> {
    // A Finalize closes the segment between endpoints: heads that decode at the segment's
    // end (hybrid RNN-T) must catch up first, or the final would be a partial.
    await this.#recognizer.settle?.(this.stream);
    const raw = this.#recognizer.result(this.stream);
    const online = this.toAudioTime(raw);
    this.noteSpeech(online, events);
    const hasSpeech = online.tokens.length > 0;
    // A silent segment produces no final, except when the client asked for one.
    if (hasSpeech || reason === 'finalize') {
      const final = hasSpeech ? await this.secondPassOf(raw, online, reason) : undefined;
      if (final !== undefined) {
        events.push({
          type: 'final',
          result: final,
          pass: 'offline',
          reason,
          online: { ...online, isFinal: true },
        });
      } else {
        events.push({ type: 'final', result: { ...online, isFinal: true }, pass: 'online', reason });
      }
      const words = (final ?? online).words;
      const lastWordEnd = words.length > 0 ? words[words.length - 1]!.end : online.segmentStart;
      if (hasSpeech) events.push({ type: 'utterance-end', lastWordEnd });
    }
    if (reason !== 'end-of-input') this.#recognizer.reset(this.stream);
    this.#speechStarted = false;
    this.#lastPartial = '';
  }

  /** Re-decodes the segment's audio with the offline model (undefined without 2-pass). */
  private async secondPassOf(
    raw: SegmentResult,
    online: SegmentResult,
    reason: FinalReason,
  ): Promise<SegmentResult | undefined> {
    if (this.#secondPass === undefined || this.#audio === undefined) return undefined;
    // Stream-time bounds of the segment, in samples: from its start (less a short lead) to
    // where the model has decoded. At an endpoint the audio after that point belongs to the
    // next segment (which starts there): a client far ahead of the decoder, or a file
    // accepted whole, must not have later words re-decoded into this one. At Finalize and
    // at the end of input the segment takes everything received.
    const start = Math.max(0, Math.round(raw.segmentStart * this.#rate) - this.#leadSamples);
    const end =
      reason === 'endpoint'
        ? Math.min(this.#audio.written, Math.round(this.stream.secondsDecoded * this.#rate))
        : this.#audio.written;
    const audio = this.#audio.slice(start, end);
    if (audio.length === 0) return undefined;
    const startSeconds = Math.max(start, this.#audio.oldest) / this.#rate;
    const offline = offsetResult(await this.#secondPass.transcribe(audio), startSeconds);
    const heads = this.#vote ? (this.#recognizer.headResults?.(this.stream) ?? []) : [];
    // Without both heads' transcripts (a recognizer without headResults) the second
    // pass's transcript is the final, as in 'replace'.
    const final = heads.length >= 2 ? voteResults([offline, ...heads]) : offline;
    return this.toAudioTime({
      ...final,
      segment: online.segment,
      segmentStart: raw.segmentStart,
      isFinal: true,
    });
  }
}

/**
 * Why a stream of this recognizer decoding with `decoder` cannot vote (undefined: it can):
 * the vote needs both a CTC and an RNN-T head, decoding together (decoder 'hybrid', or
 * none named, which a voting session turns into 'hybrid').
 */
export function whyCannotVote(
  recognizer: StreamingRecognizer<RecognizerStream>,
  decoder: StreamingDecoderChoice | undefined,
): string | undefined {
  const heads = recognizer.info.decoders;
  if (!(heads.includes('ctc') && heads.includes('rnnt')) || recognizer.headResults === undefined) {
    return `the second-pass vote needs a streaming model with both a CTC and an RNN-T head; ${recognizer.info.id} has ${heads.join(' and ') || 'neither'}`;
  }
  if (decoder !== undefined && decoder !== 'hybrid') {
    return `the second-pass vote decodes with both heads (decoder 'hybrid'), not '${decoder}'`;
  }
  return undefined;
}

/** The stream options a voting session runs: the hybrid decoder, so both heads decode. */
function voteStreamOptions(
  recognizer: StreamingRecognizer<RecognizerStream>,
  options: StreamOptions = {},
): StreamOptions {
  const why = whyCannotVote(recognizer, options.decoder);
  if (why !== undefined) throw new SpeechError('ASR_UNSUPPORTED_OPTION', why);
  return { ...options, decoder: 'hybrid' };
}

function offsetResult(result: AsrResult, seconds: number): AsrResult {
  return {
    text: result.text,
    tokens: result.tokens,
    timestamps: result.timestamps.map((t) => t + seconds),
    words: result.words.map((w) => ({ ...w, start: w.start + seconds, end: w.end + seconds })),
  };
}

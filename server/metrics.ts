/**
 * Prometheus metrics (GET /metrics): sessions, batching, decode speed, latencies, speech
 * synthesis, errors.
 * One registry per server instance, so tests and several servers in one process do not
 * share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchStats } from './engine/engine-protocol.js';

const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly activeSessions = new Gauge({
    name: 'speechstream_active_sessions',
    help: 'Live transcription sessions open now',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly sessionsTotal = new Counter({
    name: 'speechstream_sessions_total',
    help: 'Live transcription sessions opened',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'speechstream_queue_wait_seconds',
    help: 'Time a ready stream waited before its batched decode started',
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'speechstream_batch_size',
    help: 'Streams per encoder call',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly encoderCacheRows = new Counter({
    name: 'speechstream_encoder_cache_rows_total',
    help: 'Stream steps by where their encoder cache came from: fed_back (the tensors the last call of the same streams returned; on a GPU they never left it), gathered (copied from other batches; on a GPU a round trip through the host), zero (new stream or segment)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly decodeRtf = new Histogram({
    name: 'speechstream_decode_rtf',
    help: 'Decode wall time divided by the audio it covered, per batch (lower is faster)',
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [this.registry],
  });
  readonly audioSeconds = new Counter({
    name: 'speechstream_audio_seconds_total',
    help: 'Audio seconds decoded',
    registers: [this.registry],
  });
  readonly partialLatency = new Histogram({
    name: 'speechstream_partial_latency_seconds',
    help: 'From the arrival of the newest audio a partial covers to the partial being sent',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly finalLatency = new Histogram({
    name: 'speechstream_final_latency_seconds',
    help: 'From the arrival of the newest audio a final covers to the final being sent',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'speechstream_errors_total',
    help: 'Errors reported to clients, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly rejectedConnections = new Counter({
    name: 'speechstream_rejected_connections_total',
    help: 'Connections refused at the limit (503)',
    registers: [this.registry],
  });
  readonly ttsRequests = new Counter({
    name: 'speechstream_tts_requests_total',
    help: 'Speech requests by outcome: ok, cancelled (client went away), failed (after audio began), rejected (4xx), busy (503)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ttsFirstAudio = new Histogram({
    name: 'speechstream_tts_first_audio_seconds',
    help: 'From a speech request arriving to its first audio being ready to send (queue wait included)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly ttsAudioSeconds = new Counter({
    name: 'speechstream_tts_audio_seconds_total',
    help: 'Audio seconds of speech synthesised and sent',
    registers: [this.registry],
  });
  readonly ttsSyntheses = new Gauge({
    name: 'speechstream_tts_syntheses',
    help: 'Speech syntheses generating now (state=active) and waiting for a slot (state=waiting)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const load = this.#ttsLoad?.();
      this.ttsSyntheses.set({ state: 'active' }, load?.active ?? 0);
      this.ttsSyntheses.set({ state: 'waiting' }, load?.waiting ?? 0);
    },
  });
  #ttsLoad: (() => { active: number; waiting: number }) | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'speechstream_' });
  }

  /** Where speechstream_tts_syntheses reads its values at each scrape. */
  watchTts(load: () => { active: number; waiting: number }): void {
    this.#ttsLoad = load;
  }

  observeBatch(stats: BatchStats): void {
    this.batchSize.observe(stats.size);
    if (stats.cacheRows !== undefined) {
      this.encoderCacheRows.inc({ source: 'fed_back' }, stats.cacheRows.fedBack);
      this.encoderCacheRows.inc({ source: 'gathered' }, stats.cacheRows.gathered);
      this.encoderCacheRows.inc({ source: 'zero' }, stats.cacheRows.zero);
    }
    for (const w of stats.waitMs) this.queueWait.observe(w / 1000);
    if (stats.audioSeconds > 0) {
      this.audioSeconds.inc(stats.audioSeconds);
      this.decodeRtf.observe(stats.decodeMs / 1000 / stats.audioSeconds);
    }
  }
}

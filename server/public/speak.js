// speechstream browser demo, text-to-speech panel: POST /v1/audio/speech for raw pcm, read
// the response body as it arrives, and play each piece through Web Audio the moment it is
// read, scheduled right after the piece before. No build step, no network beyond this server.
//
// Why pcm and AudioBufferSourceNodes: pcm needs no decoder (decodeAudioData wants a whole
// file, so mp3 or wav would play only once the last byte is in), and a buffer per piece
// scheduled on the context's clock plays gaplessly without an AudioWorklet. The context
// resamples the server's rate (X-Sample-Rate, 16 kHz) to the device's.

import { authHeaders } from './demo.js';

/** The pcm format's rate when the response does not name one. */
const DEFAULT_SAMPLE_RATE = 16000;
/**
 * How far ahead of the clock the first piece (or the first after a gap) starts: room for
 * the next piece to arrive before this one runs out.
 */
const LEAD_SECONDS = 0.1;

const ms = (value) => `${Math.round(value)} ms`;
const seconds = (value) => `${value.toFixed(2)} s`;

/** `{"error": {"code", "message"}}` (or a bare `{code, message}`) as one line. */
async function describeFailure(response) {
  try {
    const body = await response.json();
    const error = body.error ?? body;
    if (error.code) return `${error.code}: ${error.message}`;
  } catch {
    // Not JSON: the status line is all there is.
  }
  return `HTTP ${response.status} ${response.statusText}`;
}

/** Little-endian 16-bit samples arriving in pieces of any length; an odd byte waits for the next piece. */
class Linear16Reader {
  carry = undefined;

  push(bytes) {
    let data = bytes;
    if (this.carry !== undefined) {
      data = new Uint8Array(bytes.length + 1);
      data[0] = this.carry;
      data.set(bytes, 1);
      this.carry = undefined;
    }
    const count = data.length >> 1;
    if (data.length & 1) this.carry = data[data.length - 1];
    const view = new DataView(data.buffer, data.byteOffset, count * 2);
    const samples = new Float32Array(count);
    for (let i = 0; i < count; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
    return samples;
  }
}

/** Plays pieces of audio back to back on one context's clock. */
class Scheduler {
  next = 0;
  buffers = 0;
  playedSeconds = 0;
  gaps = 0;
  sources = new Set();
  onPlayed = () => {};
  #idle = undefined;

  constructor(context, sampleRate) {
    this.context = context;
    this.sampleRate = sampleRate;
  }

  play(samples) {
    const { context } = this;
    const buffer = context.createBuffer(1, samples.length, this.sampleRate);
    buffer.copyToChannel(samples, 0);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    if (this.next < context.currentTime) {
      // Everything before has played: this piece came late (or is the first).
      if (this.buffers > 0) this.gaps++;
      this.next = context.currentTime + LEAD_SECONDS;
    }
    source.start(this.next);
    this.next += buffer.duration;
    this.buffers++;
    this.sources.add(source);
    source.onended = () => {
      this.sources.delete(source);
      this.playedSeconds += buffer.duration;
      this.onPlayed();
      if (this.sources.size === 0) this.#idle?.();
    };
  }

  /** Resolves once everything scheduled has played. */
  drained() {
    return new Promise((resolve) => {
      if (this.sources.size === 0) resolve();
      else this.#idle = resolve;
    });
  }

  stop() {
    for (const source of this.sources) {
      source.onended = null;
      source.stop();
    }
    this.sources.clear();
    this.#idle?.();
  }
}

/** One Speak press: the request, its audio as it arrives, until played, stopped or failed. */
class SpeakSession {
  stopped = false;
  scheduler = undefined;

  constructor(view, request) {
    this.view = view;
    this.request = request;
    this.controller = new AbortController();
    // Created inside the click, so the autoplay policy lets it start.
    this.context = new AudioContext({ latencyHint: 'interactive' });
  }

  async run() {
    const { view } = this;
    const started = performance.now();
    const response = await fetch(new URL('v1/audio/speech', location.href), {
      method: 'POST',
      headers: { ...authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ ...this.request, response_format: 'pcm' }),
      signal: this.controller.signal,
    });
    if (!response.ok) throw new Error(await describeFailure(response));
    const sampleRate = Number(response.headers.get('x-sample-rate')) || DEFAULT_SAMPLE_RATE;
    view.showSpeaker(
      response.headers.get('x-speech-model') ?? this.request.model,
      response.headers.get('x-speech-voice') ?? this.request.voice,
      response.headers.get('x-speech-provider'),
      sampleRate,
    );
    await this.context.resume();
    const scheduler = new Scheduler(this.context, sampleRate);
    scheduler.onPlayed = () => view.showPlayed(scheduler.playedSeconds, scheduler.gaps);
    this.scheduler = scheduler;
    view.setState('streaming');
    view.status('Speaking…');
    const pcm = new Linear16Reader();
    const reader = response.body.getReader();
    let samples = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = pcm.push(value);
      if (piece.length === 0) continue;
      if (samples === 0) view.showFirstAudio(performance.now() - started);
      samples += piece.length;
      scheduler.play(piece);
      view.showReceived(samples, sampleRate, scheduler.buffers);
    }
    view.setState('playing');
    view.status('All audio received; playing the rest…');
    await scheduler.drained();
    return samples / sampleRate;
  }

  /** Stop: abort the request (the server stops synthesising) and silence what was scheduled. */
  stop() {
    this.stopped = true;
    this.controller.abort();
    this.scheduler?.stop();
  }

  release() {
    this.scheduler?.stop();
    if (this.context.state !== 'closed') this.context.close();
  }
}

function initSpeak(root) {
  const $ = (selector) => root.querySelector(selector);
  const form = $('form');
  const start = $('#speak-start');
  const stop = $('#speak-stop');
  let session;
  let ready = false;
  form.addEventListener('submit', (event) => event.preventDefault());

  const view = {
    status(text) {
      $('#speak-status').textContent = text;
    },
    setState(state) {
      root.dataset.state = state;
      start.disabled = state !== 'idle' || !ready;
      stop.disabled = state === 'idle';
      for (const control of form.elements) control.disabled = state !== 'idle' || !ready;
    },
    reset() {
      $('#speak-model').textContent = '–';
      $('#speak-first-audio').textContent = '–';
      view.showReceived(0, DEFAULT_SAMPLE_RATE, 0);
      view.showPlayed(0, 0);
    },
    showSpeaker(model, voice, provider, sampleRate) {
      const details = [provider, `${sampleRate} Hz`].filter(Boolean).join(', ');
      $('#speak-model').textContent = `${model}, voice ${voice} (${details})`;
    },
    showFirstAudio(elapsed) {
      $('#speak-first-audio').textContent = ms(elapsed);
      root.dataset.firstAudioMs = String(Math.round(elapsed));
    },
    showReceived(samples, sampleRate, buffers) {
      $('#speak-samples').textContent = String(samples);
      $('#speak-buffers').textContent = String(buffers);
      $('#speak-seconds').textContent = seconds(samples / sampleRate);
    },
    showPlayed(played, gaps) {
      $('#speak-played').textContent = seconds(played);
      $('#speak-underruns').textContent = String(gaps);
    },
    ended(text) {
      session?.release();
      session = undefined;
      view.status(text);
      view.setState('idle');
    },
  };

  start.addEventListener('click', async () => {
    const data = new FormData(form);
    const { model, voice } = JSON.parse(data.get('voice'));
    view.reset();
    view.setState('requesting');
    view.status('Asking the server…');
    const current = new SpeakSession(view, { input: data.get('input'), voice, model });
    session = current;
    try {
      const audioSeconds = await current.run();
      // Stop while the last pieces play ends the run normally, but it was still a Stop.
      view.ended(current.stopped ? 'Stopped.' : `Done: ${seconds(audioSeconds)} of audio.`);
    } catch (err) {
      if (current.stopped) view.ended('Stopped.');
      else view.ended(`Could not speak: ${err.message}`);
    }
  });

  stop.addEventListener('click', () => {
    session?.stop();
  });

  view.setState('idle');
  loadVoices(form.elements.voice)
    .then((count) => {
      ready = count > 0;
      view.setState('idle');
      view.status(
        ready
          ? 'Ready. Type something and press Speak.'
          : 'Text-to-speech is off on this server (no speech model is loaded).',
      );
    })
    .catch((err) => view.status(`Could not read the voices: ${err.message}`));
}

/** Fills the voice list from GET /v1/audio/voices (grouped by model when there are several); returns how many. */
async function loadVoices(select) {
  const response = await fetch(new URL('v1/audio/voices', location.href), { headers: authHeaders() });
  if (!response.ok) throw new Error(await describeFailure(response));
  const { voices = [] } = await response.json();
  const option = (v, label) =>
    new Option(label, JSON.stringify({ model: v.model, voice: v.id }), v.default, v.default);
  const models = [...new Set(voices.map((v) => v.model))];
  if (models.length <= 1) {
    select.replaceChildren(...voices.map((v) => option(v, v.name)));
  } else {
    select.replaceChildren(
      ...models.map((model) => {
        const group = document.createElement('optgroup');
        const own = voices.filter((v) => v.model === model);
        group.label = `${model} (${own[0].family})`;
        group.append(...own.map((v) => option(v, v.name)));
        return group;
      }),
    );
  }
  return voices.length;
}

initSpeak(document.getElementById('speak'));

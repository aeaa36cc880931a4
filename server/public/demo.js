// speechstream browser demo: microphone -> AudioWorklet -> WebSocket /v1/listen, with live
// partials, finals with word timestamps, and latency figures. No build step, no network
// beyond this server.
//
// Audio format: linear16 at the AudioContext's own rate (usually 48 kHz); the server
// resamples to the model's rate. That keeps one resampler (the server's, which every
// other client and the tests go through, so the page hears what the tests hear) and
// keeps the page to a float -> int16 conversion. linear16 at 48 kHz is 96 kB/s: nothing
// on a LAN, and half what linear32 would cost.

/** Seconds of audio per WebSocket frame: small enough for low latency, large enough to be cheap. */
const FRAME_SECONDS = 0.05;

// ---- Shared by every panel (the text-to-speech panel will import these) -------------------

/** The API key from the page address (`/?token=KEY`), if any. */
export const apiKey = new URLSearchParams(location.search).get('token') ?? undefined;

/** A ws(s):// URL for an API path relative to this page, with query parameters. */
export function socketUrl(path, params = {}) {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url.href;
}

/** Opens a WebSocket carrying the key as the subprotocol pair `token, KEY` (kept out of URLs and logs). */
export function openSocket(url) {
  const socket = apiKey ? new WebSocket(url, ['token', apiKey]) : new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  return socket;
}

/** Headers for fetch() calls to /v1/ routes. */
export function authHeaders() {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** Resolves when the socket opens; rejects with a readable message if it closes first. */
function opened(socket) {
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener(
      'close',
      (event) =>
        reject(
          new Error(
            `the server refused the connection (close ${event.code}). If it requires an API key, ` +
              'open this page as /?token=YOUR_KEY',
          ),
        ),
      { once: true },
    );
  });
}

// ---- Listen panel -----------------------------------------------------------------------

/** Float samples in [-1, 1] as little-endian 16-bit PCM. */
function toLinear16(samples) {
  const view = new DataView(new ArrayBuffer(samples.length * 2));
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(i * 2, Math.round(v < 0 ? v * 0x8000 : v * 0x7fff), true);
  }
  return view.buffer;
}

function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (value) => (value === undefined ? '–' : `${Math.round(value)} ms`);
const sec = (value) => value.toFixed(2);

/**
 * When each frame was sent, by stream time, so a result can be traced to the frame that
 * holds its last word: partial latency = now - send time of that frame.
 */
class SendLog {
  ends = [];
  times = [];

  record(endSeconds, at) {
    this.ends.push(endSeconds);
    this.times.push(at);
  }

  /** Send time of the first frame whose audio reaches `seconds`, or undefined. */
  sentAt(seconds) {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid] < seconds) lo = mid + 1;
      else hi = mid;
    }
    return this.times[lo];
  }
}

/** One microphone-to-server session: started by Start, ended by Stop or by the server. */
class ListenSession {
  frames = 0;
  sentSeconds = 0;
  log = new SendLog();
  partialLatencies = [];
  lastMeasuredEnd = 0;
  stopAt = undefined;
  lastFinalAt = undefined;
  error = undefined;
  released = false;

  constructor(view, params) {
    this.view = view;
    this.params = params;
    this.context = new AudioContext({ latencyHint: 'interactive' });
  }

  async start() {
    const { context } = this;
    const [media] = await Promise.all([
      // Raw microphone audio: the models were trained on unprocessed speech. (A panel that
      // plays audio aloud should turn echoCancellation on while it does.)
      navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      }),
      context.audioWorklet.addModule(new URL('capture-worklet.js', import.meta.url)),
    ]);
    this.media = media;
    this.socket = openSocket(
      socketUrl('v1/listen', {
        encoding: 'linear16',
        sample_rate: context.sampleRate,
        channels: 1,
        ...this.params,
      }),
    );
    this.socket.addEventListener('message', (event) => this.onMessage(event));
    this.socket.addEventListener('close', (event) => this.onClose(event));
    await opened(this.socket);
    await context.resume();
    this.node = new AudioWorkletNode(context, 'capture', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions: { frameSamples: Math.round(context.sampleRate * FRAME_SECONDS) },
    });
    this.node.port.onmessage = (event) => this.onWorklet(event.data);
    this.view.showFormat(context.sampleRate);
    context.createMediaStreamSource(media).connect(this.node);
  }

  onWorklet(message) {
    if (message.type === 'flushed') {
      this.stopAt = performance.now();
      this.send(JSON.stringify({ type: 'CloseStream' }));
      this.releaseAudio();
      return;
    }
    this.frames++;
    this.sentSeconds += message.samples.length / this.context.sampleRate;
    if (this.send(toLinear16(message.samples))) this.log.record(this.sentSeconds, performance.now());
    this.view.showSent(this.frames, this.sentSeconds);
  }

  send(data) {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data);
    return true;
  }

  /** Stop: the worklet posts what it holds, then CloseStream; the server sends the last final and closes. */
  stop() {
    if (this.node) this.node.port.postMessage('flush');
    else this.socket?.close();
  }

  onMessage(event) {
    const message = JSON.parse(event.data);
    const now = performance.now();
    switch (message.type) {
      case 'Metadata':
        if (message.model_info) this.view.showModel(message);
        break;
      case 'Results':
        if (message.is_final) {
          this.lastFinalAt = now;
          this.view.addFinal(message);
        } else {
          this.measurePartial(message, now);
          this.view.showPartial(message);
        }
        break;
      case 'Error':
        this.error = `${message.code}: ${message.message}`;
        this.view.status(`Server error ${this.error}`);
        break;
    }
  }

  /** Latency of a partial that reaches further than any before it. */
  measurePartial(message, now) {
    const end = message.start + message.duration;
    if (message.channel.alternatives[0].transcript === '' || end <= this.lastMeasuredEnd) return;
    this.lastMeasuredEnd = end;
    const sentAt = this.log.sentAt(end);
    if (sentAt === undefined) return;
    this.partialLatencies.push(now - sentAt);
    this.view.showLatency(this.partialLatencies.at(-1), median(this.partialLatencies), undefined);
  }

  onClose(event) {
    this.releaseAudio();
    let finalAfterStop;
    if (this.stopAt !== undefined) {
      // Stop -> the last final; when no final came after Stop (the last segment had
      // already ended), Stop -> the close that says nothing more will come.
      const last = this.lastFinalAt > this.stopAt ? this.lastFinalAt : performance.now();
      finalAfterStop = last - this.stopAt;
    }
    this.view.showLatency(this.partialLatencies.at(-1), median(this.partialLatencies), finalAfterStop);
    if (event.code === 1000) this.view.ended('Stopped.');
    else this.view.ended(`Connection closed (${event.code}${this.error ? ` ${this.error}` : ''}).`);
  }

  releaseAudio() {
    if (this.released) return;
    this.released = true;
    for (const track of this.media?.getTracks() ?? []) track.stop();
    this.context.close();
  }
}

function initListen(root) {
  const $ = (selector) => root.querySelector(selector);
  const form = $('form');
  const start = $('#start');
  const stop = $('#stop');
  const finals = $('#finals');
  const partial = $('#partial');
  let session;
  // The settings apply at Start; Enter in a field must not reload the page.
  form.addEventListener('submit', (event) => event.preventDefault());

  const view = {
    status(text) {
      $('#status').textContent = text;
    },
    setState(state) {
      root.dataset.state = state;
      start.disabled = state !== 'idle';
      stop.disabled = state !== 'live';
      for (const control of form.elements)
        control.disabled = state !== 'idle' || control.dataset.unavailable === 'true';
    },
    showModel(metadata) {
      const { name, arch } = metadata.model_info;
      $('#model').textContent = `${name} (${arch}, ${metadata.provider}, ${metadata.model_sample_rate} Hz)`;
    },
    showFormat(sampleRate) {
      $('#audio-format').textContent = `linear16 at ${sampleRate} Hz`;
    },
    showSent(frames, seconds) {
      $('#frames').textContent = String(frames);
      $('#audio-seconds').textContent = `${seconds.toFixed(1)} s`;
    },
    showPartial(message) {
      partial.textContent = message.channel.alternatives[0].transcript;
    },
    addFinal(message) {
      partial.textContent = '';
      const alternative = message.channel.alternatives[0];
      if (alternative.transcript === '') return;
      const item = document.createElement('li');
      item.dataset.start = String(message.start);
      item.dataset.end = String(message.start + message.duration);
      const range = document.createElement('span');
      range.className = 'range';
      range.textContent = `${sec(message.start)}–${sec(message.start + message.duration)} s`;
      item.append(range);
      for (const word of alternative.words) {
        const span = document.createElement('span');
        span.className = 'word';
        span.dataset.start = String(word.start);
        span.dataset.end = String(word.end);
        span.title = `${sec(word.start)}–${sec(word.end)} s, confidence ${word.confidence.toFixed(2)}`;
        const time = document.createElement('small');
        time.setAttribute('aria-hidden', 'true');
        time.textContent = sec(word.start);
        span.append(word.punctuated_word ?? word.word, time);
        item.append(span, ' ');
      }
      if (message.extra?.pass === 'offline') {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = 'second pass';
        item.append(badge);
      }
      finals.append(item);
    },
    showLatency(last, mid, finalAfterStop) {
      $('#partial-latency').textContent = `${ms(last)} (median ${ms(mid)})`;
      if (finalAfterStop !== undefined) $('#final-latency').textContent = ms(finalAfterStop);
    },
    ended(text) {
      session = undefined;
      view.status(text);
      view.setState('idle');
    },
  };

  start.addEventListener('click', async () => {
    const data = new FormData(form);
    const params = {
      interim_results: true,
      lookahead: data.get('lookahead') ?? undefined,
      decoder: data.get('decoder') ?? undefined,
      two_pass: data.get('two_pass') === 'on' ? true : undefined,
    };
    finals.replaceChildren();
    partial.textContent = '';
    view.setState('starting');
    view.status('Starting the microphone…');
    session = new ListenSession(view, params);
    try {
      await session.start();
      view.setState('live');
      view.status('Listening. Speak, then press Stop.');
    } catch (err) {
      session?.releaseAudio();
      session?.socket?.close();
      view.ended(`Could not start: ${err.message}`);
    }
  });

  stop.addEventListener('click', () => {
    view.setState('stopping');
    view.status('Finishing the last words…');
    session?.stop();
  });

  view.setState('idle');
  loadSettings(form, view);
}

/** Fills the settings from the server: lookaheads and decoders from Metadata, two_pass from /v1/models. */
async function loadSettings(form, view) {
  const fill = (select, values, label) => {
    select.replaceChildren(...values.map((value) => new Option(label(value), String(value), false, false)));
  };
  try {
    const socket = openSocket(socketUrl('v1/listen'));
    const metadata = await new Promise((resolve, reject) => {
      socket.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
      opened(socket).catch(reject);
    });
    // Only the Metadata was wanted: leave without sending audio.
    socket.close(1000);
    if (metadata.type !== 'Metadata') throw new Error(`${metadata.code}: ${metadata.message}`);
    view.showModel(metadata);
    fill(form.elements.lookahead, metadata.lookaheads, (r) => `${r} (${r * 80} ms)`);
    form.elements.lookahead.value = String(metadata.lookahead ?? metadata.lookaheads[0] ?? '');
    fill(form.elements.decoder, metadata.decoders, (d) => d.toUpperCase());
    const models = await fetch(new URL('v1/models', location.href), { headers: authHeaders() }).then((r) =>
      r.json(),
    );
    const twoPass = form.elements.two_pass;
    // /v1/models lists the primary model, then the second-pass model when one is loaded.
    if (!(models.data?.length > 1)) {
      twoPass.dataset.unavailable = 'true';
      twoPass.disabled = true;
      twoPass.closest('label').append(' – no second-pass model is loaded');
    }
    view.status('Ready. Press Start and allow the microphone.');
  } catch (err) {
    view.status(`Could not read the server's settings: ${err.message}`);
  }
}

initListen(document.getElementById('listen'));

// Runs on the audio rendering thread: gathers the microphone's 128-sample render quanta
// into frames of `frameSamples` mono samples at the context's rate and posts each frame
// (transferred, not copied) to the page. Posting every quantum would wake the page
// ~375 times a second; a frame of tens of milliseconds keeps latency low at a tenth of that.
// 'flush' posts the partial frame at once, then 'flushed', so the page can end the stream.

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.frameSamples = options.processorOptions.frameSamples;
    this.frame = new Float32Array(this.frameSamples);
    this.filled = 0;
    this.stopped = false;
    this.port.onmessage = (event) => {
      if (event.data === 'flush') {
        this.post();
        this.stopped = true;
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  post() {
    if (this.filled === 0) return;
    const samples = this.filled === this.frameSamples ? this.frame : this.frame.slice(0, this.filled);
    this.port.postMessage({ type: 'frame', samples }, [samples.buffer]);
    if (samples === this.frame) this.frame = new Float32Array(this.frameSamples);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (this.stopped) return false;
    // No input yet (the source is still starting): nothing to gather, stay alive.
    if (channels === undefined || channels.length === 0) return true;
    const length = channels[0].length;
    for (let i = 0; i < length; i++) {
      // Down-mix: a mono microphone arrives as one channel, a stereo one is averaged.
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      this.frame[this.filled++] = sum / channels.length;
      if (this.filled === this.frameSamples) this.post();
    }
    return true;
  }
}

registerProcessor('capture', CaptureProcessor);

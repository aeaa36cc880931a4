/**
 * The text `speak` says: the argument, or stdin when the argument is `-` or absent and
 * stdin is not a terminal. The length limit is the server's (ttsMaxChars, in Unicode code
 * points), checked before any model loads; stdin is read only as far as the limit can
 * still hold, so piping a huge file in fails fast instead of filling memory.
 */
import type { Readable } from 'node:stream';
import { SpeechError } from '../../common/errors.js';
import { envName } from '../config.js';

const STDIN = '-';
/** A code point is at most 4 bytes of UTF-8. */
const MAX_UTF8_BYTES = 4;

export async function speakText(arg: string | undefined, stdin: Readable, maxChars: number): Promise<string> {
  let text: string;
  if (arg === undefined || arg === STDIN) {
    if ((stdin as { isTTY?: boolean }).isTTY === true) {
      throw new SpeechError(
        'TTS_INPUT_INVALID',
        'no text to speak: give it as an argument, or pipe it in (speechstream speak - < text.txt)',
      );
    }
    text = await readBounded(stdin, maxChars * MAX_UTF8_BYTES, maxChars);
  } else {
    text = arg;
  }
  return checkText(text, maxChars);
}

/** The trimmed text, or TTS_INPUT_INVALID (empty) / LIMIT_TEXT_TOO_LONG. */
export function checkText(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (trimmed === '') throw new SpeechError('TTS_INPUT_INVALID', 'the text to speak is empty');
  let chars = 0;
  for (const _ of trimmed) chars++;
  if (chars > maxChars) throw tooLong(`${chars} characters`, maxChars);
  return trimmed;
}

function tooLong(what: string, maxChars: number): SpeechError {
  return new SpeechError(
    'LIMIT_TEXT_TOO_LONG',
    `the text is ${what} long; the limit is ${maxChars} (--tts-max-chars or ${envName('ttsMaxChars')})`,
    { maxChars },
  );
}

async function readBounded(stdin: Readable, maxBytes: number, maxChars: number): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    // Leaving the loop destroys the stream: nothing more is read.
    if (bytes > maxBytes) throw tooLong(`more than ${maxBytes} bytes`, maxChars);
    parts.push(buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

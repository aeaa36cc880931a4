/**
 * Builds a string from text pieces and raw UTF-8 bytes (byte-fallback tokens). Runs of
 * bytes are decoded together, so a character split over several `<0xNN>` tokens comes
 * out whole; an incomplete or invalid run becomes U+FFFD instead of throwing.
 */
export class Utf8Builder {
  private static readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private text = '';
  private bytes: number[] = [];

  appendText(s: string): void {
    this.flushBytes();
    this.text += s;
  }

  appendByte(b: number): void {
    this.bytes.push(b);
  }

  get isEmpty(): boolean {
    return this.text.length === 0 && this.bytes.length === 0;
  }

  toString(): string {
    this.flushBytes();
    return this.text;
  }

  private flushBytes(): void {
    if (this.bytes.length === 0) return;
    this.text += Utf8Builder.decoder.decode(Uint8Array.from(this.bytes));
    this.bytes = [];
  }
}

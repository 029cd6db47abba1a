import type { Readable } from 'node:stream';

/** An answer from a service we call was larger than we read. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Kaspi's answers (a page of orders, a card's offers, the cabinet's lists) stay well within this. */
export const KASPI_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** WAHA's and Telegram's answers (a sent message, a batch of updates) stay well within this. */
export const MESSENGER_MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Reads a response body as UTF-8 text, at most `maxBytes` of it: past that, the body is destroyed (the
 * rest is never read or buffered) and `BodyTooLargeError` thrown. Whatever the sender says its length is.
 */
export async function readCappedText(
  body: Readable & AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<string> {
  return (await readCappedBytes(body, maxBytes)).toString('utf8');
}

/** The body's bytes, at most `maxBytes` of them (see `readCappedText`). */
export async function readCappedBytes(
  body: Readable & AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

import { request } from 'undici';
import { BodyTooLargeError, MESSENGER_MAX_BODY_BYTES, readCappedText } from '../lib/capped-body';

/**
 * What went wrong talking to WAHA or Telegram, in terms the sender acts on:
 * - `unavailable`: no answer, a timeout or a 5xx — try again later;
 * - `rate_limited`: asked to slow down (`retryAfterMs` when said);
 * - `not_ready`: the WhatsApp session is not connected (the merchant must scan the QR code);
 * - `refused`: this message cannot be delivered (bad number, chat unknown, bot blocked) — do not retry;
 * - `misconfigured`: our key or token is refused.
 */
export type MessengerErrorKind = 'unavailable' | 'rate_limited' | 'not_ready' | 'refused' | 'misconfigured';

export class MessengerError extends Error {
  constructor(
    readonly kind: MessengerErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MessengerError';
  }
}

export function isRetryable(error: unknown): boolean {
  return (
    error instanceof MessengerError &&
    (error.kind === 'unavailable' || error.kind === 'rate_limited' || error.kind === 'not_ready')
  );
}

export interface JsonReply {
  status: number;
  body: unknown;
  retryAfter: string | undefined;
}

/**
 * One JSON call. Failures to connect or read become `unavailable` with a message that never repeats
 * the URL (the Telegram bot token is part of it).
 */
export async function jsonCall(
  service: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<JsonReply> {
  let status: number;
  let text: string;
  let retryAfter: string | undefined;
  try {
    const response = await request(url, {
      method: init.method,
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs),
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    status = response.statusCode;
    const header = response.headers['retry-after'];
    retryAfter = Array.isArray(header) ? header[0] : header;
    text = await readCappedText(response.body, MESSENGER_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new MessengerError('unavailable', `${service} answered with more than we read (${error.message})`);
    const code = (error as { code?: string; name?: string }).code ?? (error as { name?: string }).name ?? 'error';
    throw new MessengerError('unavailable', `${service} did not answer (${code})`);
  }
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    if (status < 300)
      throw new MessengerError('unavailable', `${service} answered ${status} with a body that is not JSON`, status);
  }
  return { status, body, retryAfter };
}

export function retryAfterMs(seconds: unknown): number | undefined {
  const value = Number(seconds);
  return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
}

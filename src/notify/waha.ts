/**
 * WAHA, the WhatsApp HTTP API a store's customer messages go through: one session per store
 * (`kaspi-store-<storeId>`), connected when the merchant scans its QR code; text to `7XXXXXXXXXX@c.us`.
 */

import { z } from 'zod';
import { kazakhPhoneDigits } from '../logins/phone';
import { jsonCall, MessengerError, retryAfterMs, type JsonReply } from './messenger-http';

export interface WahaSettings {
  url: string;
  apiKey?: string;
  timeoutMs: number;
}

/** Only a `WORKING` session sends. */
export const WAHA_READY = 'WORKING';

export const wahaSessionName = (storeId: string) => `kaspi-store-${storeId}`;

/** The WhatsApp chat of a Kazakhstan mobile number; undefined for Kaspi's masked or empty phones. */
export function whatsappChatId(phone: string | null | undefined): string | undefined {
  const digits = phone ? kazakhPhoneDigits(phone) : undefined;
  return digits ? `7${digits}@c.us` : undefined;
}

const sessionSchema = z.object({ name: z.string(), status: z.string() });
const messageSchema = z.object({
  id: z.union([z.string(), z.object({ _serialized: z.string() })]).nullish(),
});

export interface WahaSession {
  name: string;
  status: string;
}

function headers(settings: WahaSettings): Record<string, string> {
  return settings.apiKey ? { 'x-api-key': settings.apiKey } : {};
}

function failure(reply: JsonReply, what: string): MessengerError {
  const message = (reply.body as { message?: unknown } | null)?.message;
  const detail = `WAHA ${what} failed (HTTP ${reply.status})${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
  if (reply.status === 401 || reply.status === 403) return new MessengerError('misconfigured', detail, reply.status);
  if (reply.status === 429)
    return new MessengerError('rate_limited', detail, reply.status, retryAfterMs(reply.retryAfter));
  if (reply.status >= 500) return new MessengerError('unavailable', detail, reply.status);
  return new MessengerError('refused', detail, reply.status);
}

/** `GET /api/sessions/{name}`; null when WAHA has no such session. */
export async function getWahaSession(settings: WahaSettings, name: string): Promise<WahaSession | null> {
  const reply = await jsonCall('WAHA', `${settings.url}/api/sessions/${encodeURIComponent(name)}`, {
    method: 'GET',
    headers: headers(settings),
    timeoutMs: settings.timeoutMs,
  });
  if (reply.status === 404) return null;
  if (reply.status !== 200) throw failure(reply, 'session lookup');
  const session = sessionSchema.safeParse(reply.body);
  if (!session.success) throw new MessengerError('unavailable', 'WAHA answered a session without name or status');
  return session.data;
}

/** `POST /api/sessions/start`; a session already running is answered with its current state. */
export async function startWahaSession(settings: WahaSettings, name: string): Promise<WahaSession> {
  const reply = await jsonCall('WAHA', `${settings.url}/api/sessions/start`, {
    method: 'POST',
    headers: headers(settings),
    body: { name },
    timeoutMs: settings.timeoutMs,
  });
  if (reply.status === 422) {
    const session = await getWahaSession(settings, name);
    if (session) return session;
  }
  if (reply.status !== 200 && reply.status !== 201) throw failure(reply, 'session start');
  const session = sessionSchema.safeParse(reply.body);
  if (!session.success) throw new MessengerError('unavailable', 'WAHA answered a session without name or status');
  return session.data;
}

const qrSchema = z.object({ mimetype: z.string().regex(/^image\//), data: z.string().min(1) });

/**
 * `GET /api/{name}/auth/qr` as JSON: the picture the shop's phone scans, base64. Null when the session
 * is not waiting for one (already working, or not started).
 */
export async function getWahaQr(
  settings: WahaSettings,
  name: string,
): Promise<{ mimetype: string; data: string } | null> {
  const reply = await jsonCall('WAHA', `${settings.url}/api/${encodeURIComponent(name)}/auth/qr?format=image`, {
    method: 'GET',
    headers: headers(settings),
    timeoutMs: settings.timeoutMs,
  });
  if (reply.status === 404 || reply.status === 422) return null;
  if (reply.status !== 200) throw failure(reply, 'QR code');
  const qr = qrSchema.safeParse(reply.body);
  if (!qr.success) throw new MessengerError('unavailable', 'WAHA answered a QR code without a picture');
  return qr.data;
}

/** `POST /api/sendText`. A session that is not `WORKING` answers 422: `not_ready`. */
export async function sendWhatsAppText(
  settings: WahaSettings,
  message: { session: string; chatId: string; text: string },
): Promise<{ messageId: string | null }> {
  const reply = await jsonCall('WAHA', `${settings.url}/api/sendText`, {
    method: 'POST',
    headers: headers(settings),
    body: { session: message.session, chatId: message.chatId, text: message.text },
    timeoutMs: settings.timeoutMs,
  });
  if (reply.status === 422 || reply.status === 404) {
    throw new MessengerError(
      'not_ready',
      `the WhatsApp session ${message.session} is not connected (HTTP ${reply.status})`,
      reply.status,
    );
  }
  if (reply.status !== 200 && reply.status !== 201) throw failure(reply, 'sendText');
  const sent = messageSchema.safeParse(reply.body);
  const id = sent.success ? sent.data.id : null;
  return { messageId: typeof id === 'string' ? id : (id?._serialized ?? null) };
}

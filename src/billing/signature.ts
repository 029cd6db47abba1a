import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payment-provider webhooks are signed: `X-Signature: t=<unix seconds>,sha256=<hex>`, where the hex is
 * the HMAC-SHA256, under `BILLING_WEBHOOK_SECRET`, of `<t>.` followed by the raw request body. The
 * timestamp is signed with the body, so a captured request cannot be replayed later: it is refused
 * once `t` is more than `SIGNATURE_TOLERANCE_SECONDS` away from now (either way).
 */
export const SIGNATURE_HEADER = 'x-signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function mac(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value for a body, signed now (or at `timestamp`, unix seconds): what the provider sends. */
export function signBody(secret: string, rawBody: Buffer | string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},sha256=${mac(secret, timestamp, rawBody)}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

/** Checks a signature header against the raw body (constant time), and its timestamp against now. */
export function checkSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  nowMs = Date.now(),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parts = new Map(
    header
      .split(',')
      .map((part) => part.trim().split('='))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k.trim(), v.trim()]),
  );
  const t = parts.get('t');
  const given = parts.get('sha256');
  if (!t || !/^\d{1,12}$/.test(t) || !given || !/^[0-9a-f]{64}$/i.test(given))
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, Number(t), rawBody), 'hex');
  if (!timingSafeEqual(Buffer.from(given, 'hex'), expected)) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowMs / 1000 - Number(t)) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
  return { ok: true };
}

export function isValidSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
  nowMs = Date.now(),
): boolean {
  return checkSignature(secret, rawBody, header, nowMs).ok;
}

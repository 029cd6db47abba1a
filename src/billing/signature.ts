import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payment-provider webhooks are signed: `X-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw
 * request body under `BILLING_WEBHOOK_SECRET`.
 */
export const SIGNATURE_HEADER = 'x-signature';

export function signBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of a signature header against the body. */
export function isValidSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, rawBody));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

import { ApplicationFailure } from '@temporalio/common';

/**
 * What went wrong with a Kaspi call, in terms the rest of the system can act on:
 * - `session_expired`: cabinet cookies (or a Shop API token) were rejected; log in again, do not retry blindly.
 * - `ip_throttled`: the public API banned this source IP (403, ≈10 s); pause this IP or use another proxy.
 * - `merchant_throttled`: price pushes for this merchant are banned (429, ≈30 min); proxies do not help.
 * - `rate_limited`: Kaspi asked to slow down (429 with or without `Retry-After`) outside the push surface.
 * - `unavailable`: 5xx, timeout or reset; retry with backoff.
 * - `anti_bot`: an HTML page came back where JSON was expected; retry later or through another proxy.
 * - `malformed`: the body does not parse or lacks fields we depend on.
 * - `bad_request`: Kaspi refused the request as invalid (400/405/415/422); retrying will not help.
 * - `not_found`: the resource does not exist (404).
 * - `proxy_auth`: the proxy refused our credentials (407); that proxy is unusable as configured.
 * - `proxy_failed`: the proxy could not be reached, refused the tunnel, or dropped it.
 */
export type KaspiErrorKind =
  | 'session_expired'
  | 'ip_throttled'
  | 'merchant_throttled'
  | 'rate_limited'
  | 'unavailable'
  | 'anti_bot'
  | 'malformed'
  | 'bad_request'
  | 'not_found'
  | 'proxy_auth'
  | 'proxy_failed';

/**
 * How Kaspi's statuses read depends on where they come from: a 403 on the storefront is a per-IP ban,
 * on the cabinet an expired session; a 429 on pushes bans the merchant account.
 */
export type Surface = 'public' | 'cabinet' | 'pricefeed' | 'shop_api';

export interface KaspiErrorOptions {
  kind: KaspiErrorKind;
  /** Our name of the endpoint that failed, e.g. `offers`, `pricefeed`. */
  endpoint: string;
  /** The surface that answered, when there was an answer to classify. */
  surface?: Surface;
  /** HTTP status when there was a response (407 for a proxy refusing credentials). */
  status?: number;
  /** How long Kaspi asked us to wait (`rate_limited`). */
  retryAfterMs?: number;
  /** How long pushes for the merchant stay banned (`merchant_throttled`). */
  cooldownMs?: number;
  /** A short description without secrets: no cookies, tokens, proxy credentials or bodies with them. */
  detail?: string;
  cause?: unknown;
}

export class KaspiError extends Error {
  readonly kind: KaspiErrorKind;
  readonly endpoint: string;
  readonly surface: Surface | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly cooldownMs: number | undefined;

  constructor(options: KaspiErrorOptions) {
    const status = options.status === undefined ? '' : ` (HTTP ${options.status})`;
    const detail = options.detail ? `: ${options.detail}` : '';
    super(`Kaspi ${options.endpoint} failed, ${options.kind}${status}${detail}`, { cause: options.cause });
    this.name = 'KaspiError';
    this.kind = options.kind;
    this.endpoint = options.endpoint;
    this.surface = options.surface;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.cooldownMs = options.cooldownMs;
  }
}

export function isKaspiError(error: unknown, kind?: KaspiErrorKind): error is KaspiError {
  return error instanceof KaspiError && (kind === undefined || error.kind === kind);
}

/** Failures that the same call cannot fix by being repeated: someone (or something) must act first. */
const NON_RETRYABLE: ReadonlySet<KaspiErrorKind> = new Set([
  'session_expired',
  'bad_request',
  'proxy_auth',
  'merchant_throttled',
]);

/** `session_expired` → `KaspiSessionExpired`: the failure type activities throw and workflows match on. */
export function failureType(kind: KaspiErrorKind): string {
  return 'Kaspi' + kind.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

export const KASPI_FAILURE_TYPES: Record<KaspiErrorKind, string> = Object.fromEntries(
  (
    [
      'session_expired',
      'ip_throttled',
      'merchant_throttled',
      'rate_limited',
      'unavailable',
      'anti_bot',
      'malformed',
      'bad_request',
      'not_found',
      'proxy_auth',
      'proxy_failed',
    ] as const
  ).map((kind) => [kind, failureType(kind)]),
) as Record<KaspiErrorKind, string>;

/**
 * The Temporal form of a Kaspi failure. Details carry what a workflow needs to decide (kind, endpoint,
 * status, waits) and nothing secret.
 */
export function toApplicationFailure(error: KaspiError): ApplicationFailure {
  const waitMs = error.kind === 'merchant_throttled' ? error.cooldownMs : error.retryAfterMs;
  return ApplicationFailure.create({
    message: error.message,
    type: failureType(error.kind),
    nonRetryable: NON_RETRYABLE.has(error.kind),
    nextRetryDelay: waitMs !== undefined && !NON_RETRYABLE.has(error.kind) ? waitMs : undefined,
    details: [
      {
        kind: error.kind,
        endpoint: error.endpoint,
        status: error.status ?? null,
        retryAfterMs: error.retryAfterMs ?? null,
        cooldownMs: error.cooldownMs ?? null,
      },
    ],
  });
}

/**
 * What a failed price push means, by the kind of Kaspi error: for the change that failed, and for the
 * rest of the push step. Every kind is named here, so a new kind does not compile until someone decides
 * what it means for a push.
 */
import type { KaspiErrorKind } from '../kaspi/errors';

export interface PushFailurePolicy {
  /**
   * `deferred`: the merchant could not push at all, whatever the change (its product is decided afresh
   * later); `failed`: Kaspi refused or lost this push, and its product is read again soon, as the push
   * may have landed despite the error.
   */
  change: 'deferred' | 'failed';
  /** Why the step's other changes wait (they are deferred and the step stops), or null when they go on. */
  stop: 'merchant_throttled' | 'session_expired' | 'pricefeed_failing' | null;
}

export function pushFailurePolicy(kind: KaspiErrorKind): PushFailurePolicy {
  switch (kind) {
    case 'merchant_throttled':
      return { change: 'deferred', stop: 'merchant_throttled' };
    case 'session_expired':
      return { change: 'deferred', stop: 'session_expired' };
    case 'rate_limited':
    case 'unavailable':
    case 'anti_bot':
    case 'malformed':
    case 'proxy_failed':
    case 'proxy_auth':
      return { change: 'failed', stop: 'pricefeed_failing' };
    // Refused as invalid (400) or unknown (404), or a ban of the reading address rather than of the
    // merchant's writes: this change is lost, the others may go.
    case 'bad_request':
    case 'not_found':
    case 'ip_throttled':
      return { change: 'failed', stop: null };
    default:
      return unknownKind(kind);
  }
}

function unknownKind(kind: never): never {
  throw new TypeError(`no push failure policy for the Kaspi error kind ${String(kind)}`);
}

import { describe, expect, it } from 'vitest';
import { pushFailurePolicy } from '../../src/domain/push-failure';

describe('pushFailurePolicy', () => {
  it('defers the change and stops the step while Kaspi bans the merchant’s pushes (429)', () => {
    expect(pushFailurePolicy('merchant_throttled')).toEqual({ change: 'deferred', stop: 'merchant_throttled' });
  });

  it('defers the change and stops the step when the session expired', () => {
    expect(pushFailurePolicy('session_expired')).toEqual({ change: 'deferred', stop: 'session_expired' });
  });

  it.each(['rate_limited', 'unavailable', 'anti_bot', 'malformed', 'proxy_failed', 'proxy_auth'] as const)(
    'fails the change and rests writes while the pricefeed is failing (%s)',
    (kind) => {
      expect(pushFailurePolicy(kind)).toEqual({ change: 'failed', stop: 'pricefeed_failing' });
    },
  );

  it.each(['bad_request', 'not_found', 'ip_throttled'] as const)(
    'fails only the change refused (%s); the others go on',
    (kind) => {
      expect(pushFailurePolicy(kind)).toEqual({ change: 'failed', stop: null });
    },
  );
});

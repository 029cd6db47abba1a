/** How long a new API key lives: the choices the form offers, as days (none: until revoked). */
export const KEY_LIFETIMES = ['never', '30', '90', '365'] as const;
export type KeyLifetime = (typeof KEY_LIFETIMES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

export function expiryFrom(lifetime: KeyLifetime, now: number): string | undefined {
  return lifetime === 'never' ? undefined : new Date(now + Number(lifetime) * DAY_MS).toISOString();
}

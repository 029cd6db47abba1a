import { z } from 'zod';
import { openFrom, sealFor } from '../db/sealed-columns';
import type { Keyring } from '../lib/crypto';

/**
 * What a store remembers of how it logged in: an email and password (enough to log in again without the
 * merchant), or the phone of an SMS login (which needs the merchant's code every time).
 */
export type RememberedCredentials = { email: string; password: string } | { phone: string };

const credentialsSchema = z.union([
  z.object({ email: z.string(), password: z.string() }),
  z.object({ phone: z.string() }),
]);

export function canLogInAlone(credentials: RememberedCredentials): credentials is { email: string; password: string } {
  return 'password' in credentials;
}

export function sealStoreCredentials(keyring: Keyring, storeId: string, credentials: RememberedCredentials): string {
  return sealFor(keyring, 'storeCredentials', storeId, JSON.stringify(credentials));
}

export function openStoreCredentials(keyring: Keyring, storeId: string, sealed: string): RememberedCredentials {
  return credentialsSchema.parse(JSON.parse(openFrom(keyring, 'storeCredentials', storeId, sealed)));
}

/** A password login's credentials, held (sealed) on its `kaspi_logins` row only while it runs. */
export function sealLoginCredentials(
  keyring: Keyring,
  loginId: string,
  credentials: { email: string; password: string },
): string {
  return sealFor(keyring, 'loginCredentials', loginId, JSON.stringify(credentials));
}

export function openLoginCredentials(
  keyring: Keyring,
  loginId: string,
  sealed: string,
): { email: string; password: string } {
  return z
    .object({ email: z.string(), password: z.string() })
    .parse(JSON.parse(openFrom(keyring, 'loginCredentials', loginId, sealed)));
}

/** Replaces every occurrence of the given secrets, for text that came from a browser or a library. */
export function withoutSecrets(text: string, secrets: (string | undefined)[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) clean = clean.split(secret).join('***');
  }
  return clean;
}

import { createHash, randomBytes } from 'node:crypto';

/** Keys look like `kd_<43 url-safe chars>`: the prefix tells them apart from JWTs and in logs and lists. */
export const API_KEY_PREFIX = 'kd_';

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

/** 256 random bits need no slow hash: SHA-256 is enough and lets us look keys up by hash. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

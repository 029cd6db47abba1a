/**
 * AES-256-GCM with key ids. `ENCRYPTION_KEYS` lists `id:base64key` pairs, comma-separated; the
 * first key is the current one and encrypts, every listed key decrypts.
 *
 * A listed key is never used as it is: each purpose gets its own key derived from it with HKDF-SHA256
 * (`columns` for secrets sealed in PostgreSQL, `temporal-payloads` for workflow payloads), so a value
 * of one kind can never be opened as the other.
 *
 * Rotating: put a new key first, run `npm run secrets:reencrypt` (which moves every sealed column onto
 * it), and keep the old key listed while any workflow history written under it may still be read —
 * until every workflow that ran before the rotation has closed and its history is past the namespace's
 * retention. Workflow histories are never re-encrypted, so dropping the key earlier makes them unreadable.
 *
 * Sealed values read `v2.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts; `v1` values, sealed with
 * the listed key itself before keys were derived, still open until re-encrypted). The optional
 * associated data binds a value to where it is stored (e.g. `kaspi_stores.session_enc:<storeId>`),
 * so a ciphertext copied into another row does not decrypt.
 */

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Keyring {
  currentKeyId: string;
  seal(plaintext: string | Buffer, associatedData?: string): string;
  open(sealed: string, associatedData?: string): Buffer;
  openText(sealed: string, associatedData?: string): string;
  /** The key a sealed value was made with, to find values that need re-encrypting. */
  keyIdOf(sealed: string): string;
  /** Encrypts with the current key's `temporal-payloads` key. */
  encryptBytes(plaintext: Uint8Array): { keyId: string; bytes: Buffer };
  /** Decrypts what `encryptBytes` made; `legacy` bytes were made with the listed key itself (before derivation). */
  decryptBytes(keyId: string, bytes: Uint8Array, options?: { legacy?: boolean }): Buffer;
}

const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type KeyPurpose = 'columns' | 'temporal-payloads';

/** The key of one purpose, derived from a listed key (HKDF-SHA256, no salt: the listed keys are random). */
export function deriveKey(master: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `kaspi-demper/${purpose}/v1`, 32));
}

export class KeyringError extends Error {}

export function parseKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at);
    const key = Buffer.from(entry.slice(at + 1), 'base64');
    if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new KeyringError('each key must be "<id>:<base64 key>" with a short id');
    if (key.length !== 32) throw new KeyringError(`key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
    if (keys.has(id)) throw new KeyringError(`key id "${id}" appears twice`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new KeyringError('at least one key is needed');
  return keys;
}

export function newKeySpec(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function createKeyring(spec: string): Keyring {
  const keys = parseKeys(spec);
  const currentKeyId = keys.keys().next().value!;

  const derived = new Map<string, Buffer>();
  const keyFor = (id: string, purpose?: KeyPurpose) => {
    const key = keys.get(id);
    if (!key) throw new KeyringError(`no key "${id}" in ENCRYPTION_KEYS`);
    if (!purpose) return key;
    const name = `${purpose}:${id}`;
    let sub = derived.get(name);
    if (!sub) derived.set(name, (sub = deriveKey(key, purpose)));
    return sub;
  };

  function encrypt(key: Buffer, plaintext: Uint8Array, aad?: string) {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    if (aad) cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }

  function decrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad?: string): Buffer {
    // The tag length is pinned: a shortened tag would be easier to forge.
    if (tag.length !== TAG_BYTES) throw new KeyringError('the value does not decrypt: wrong tag length');
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    if (aad) decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new KeyringError('the value does not decrypt: wrong key, wrong context, or tampered');
    }
  }

  function split(sealed: string) {
    const parts = sealed.split('.');
    if (parts.length !== 5 || (parts[0] !== VERSION && parts[0] !== LEGACY_VERSION))
      throw new KeyringError('not a sealed value');
    const [version, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
    return {
      legacy: version === LEGACY_VERSION,
      keyId,
      iv: Buffer.from(iv, 'base64url'),
      ct: Buffer.from(ct, 'base64url'),
      tag: Buffer.from(tag, 'base64url'),
    };
  }

  return {
    currentKeyId,
    seal(plaintext, associatedData) {
      const { iv, ciphertext, tag } = encrypt(keyFor(currentKeyId, 'columns'), Buffer.from(plaintext), associatedData);
      return [
        VERSION,
        currentKeyId,
        iv.toString('base64url'),
        ciphertext.toString('base64url'),
        tag.toString('base64url'),
      ].join('.');
    },
    open(sealed, associatedData) {
      const { legacy, keyId, iv, ct, tag } = split(sealed);
      return decrypt(keyFor(keyId, legacy ? undefined : 'columns'), iv, ct, tag, associatedData);
    },
    openText(sealed, associatedData) {
      return this.open(sealed, associatedData).toString('utf8');
    },
    keyIdOf(sealed) {
      return split(sealed).keyId;
    },
    encryptBytes(plaintext) {
      const { iv, ciphertext, tag } = encrypt(keyFor(currentKeyId, 'temporal-payloads'), plaintext);
      return { keyId: currentKeyId, bytes: Buffer.concat([iv, ciphertext, tag]) };
    },
    decryptBytes(keyId, bytes, options = {}) {
      const buf = Buffer.from(bytes);
      if (buf.length < IV_BYTES + TAG_BYTES) throw new KeyringError('encrypted payload too short');
      return decrypt(
        keyFor(keyId, options.legacy ? undefined : 'temporal-payloads'),
        buf.subarray(0, IV_BYTES),
        buf.subarray(IV_BYTES, buf.length - TAG_BYTES),
        buf.subarray(buf.length - TAG_BYTES),
      );
    },
  };
}

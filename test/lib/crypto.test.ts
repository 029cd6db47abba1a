import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { KeyringError, createKeyring, deriveKey, newKeySpec, parseKeys } from '../../src/lib/crypto';
import { loadConfig } from '../../src/lib/config';

describe('keyring (AES-256-GCM with key ids)', () => {
  const a = newKeySpec('a');
  const b = newKeySpec('b');

  it('opens what it seals, for any text', () => {
    const keyring = createKeyring(a);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, context) => {
        const sealed = keyring.seal(text, context);
        expect(sealed).toMatch(/^v2\.a\./);
        expect(keyring.openText(sealed, context)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('never shows the plaintext and seals differently every time', () => {
    const keyring = createKeyring(a);
    const one = keyring.seal('mc-session=SENTINEL');
    expect(one).not.toContain('SENTINEL');
    expect(keyring.seal('mc-session=SENTINEL')).not.toBe(one);
  });

  it('refuses a value moved to another context, or tampered with', () => {
    const keyring = createKeyring(a);
    const sealed = keyring.seal('secret', 'kaspi_stores.session_enc:1');
    expect(() => keyring.open(sealed, 'kaspi_stores.session_enc:2')).toThrow(KeyringError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => keyring.open(parts.join('.'), 'kaspi_stores.session_enc:1')).toThrow(KeyringError);
  });

  it('encrypts with the first key and decrypts with any listed key', () => {
    const old = createKeyring(a).seal('old secret');
    const rotated = createKeyring(`${b},${a}`);
    expect(rotated.currentKeyId).toBe('b');
    expect(rotated.openText(old)).toBe('old secret');
    expect(rotated.keyIdOf(rotated.seal('new secret'))).toBe('b');
    expect(() => createKeyring(b).open(old)).toThrow(/no key "a"/);
  });

  it('derives a separate key per purpose: a column value never opens as a payload, nor the other way', () => {
    const keyring = createKeyring(a);
    const master = parseKeys(a).get('a')!;
    expect(deriveKey(master, 'columns').equals(deriveKey(master, 'temporal-payloads'))).toBe(false);
    expect(deriveKey(master, 'columns').equals(master)).toBe(false);
    // A payload's bytes put into a sealed value do not open, and a sealed value's bytes do not decrypt as a payload.
    const { bytes } = keyring.encryptBytes(Buffer.from('payload'));
    const iv = bytes.subarray(0, 12);
    const tag = bytes.subarray(bytes.length - 16);
    const ct = bytes.subarray(12, bytes.length - 16);
    const forged = ['v2', 'a', iv, ct, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    expect(() => keyring.open(forged)).toThrow(KeyringError);
    const [, , iv2, ct2, tag2] = keyring.seal('column').split('.') as string[];
    const asPayload = Buffer.concat([iv2!, ct2!, tag2!].map((p) => Buffer.from(p, 'base64url')));
    expect(() => keyring.decryptBytes('a', asPayload)).toThrow(KeyringError);
    expect(keyring.decryptBytes('a', bytes).toString()).toBe('payload');
  });

  it('still opens values sealed with the listed key itself (v1, before keys were derived)', () => {
    const master = parseKeys(a).get('a')!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', master, iv);
    cipher.setAAD(Buffer.from('ctx'));
    const ct = Buffer.concat([cipher.update('legacy secret'), cipher.final()]);
    const legacy = [
      'v1',
      'a',
      iv.toString('base64url'),
      ct.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
    expect(createKeyring(a).openText(legacy, 'ctx')).toBe('legacy secret');
  });

  it('pins the GCM tag length: a truncated tag is refused', () => {
    const keyring = createKeyring(a);
    const parts = keyring.seal('secret').split('.');
    for (const bytes of [4, 8, 12, 15]) {
      const short = [
        ...parts.slice(0, 4),
        Buffer.from(parts[4]!, 'base64url').subarray(0, bytes).toString('base64url'),
      ].join('.');
      expect(() => keyring.open(short)).toThrow(KeyringError);
    }
    const { bytes } = keyring.encryptBytes(Buffer.from('payload'));
    expect(() => keyring.decryptBytes('a', bytes.subarray(0, bytes.length - 4))).toThrow(KeyringError);
  });

  it('rejects malformed key lists with a reason', () => {
    expect(() => parseKeys('nokey')).toThrow(KeyringError);
    expect(() => parseKeys('k:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeys(`${a},${a}`)).toThrow(/twice/);
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k:c2hvcnQ=' })).toThrow(/ENCRYPTION_KEYS: key "k" must be 32 bytes/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(
      /ENCRYPTION_KEYS: is required in production/,
    );
  });
});

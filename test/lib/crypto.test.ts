import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyringError, createKeyring, newKeySpec, parseKeys } from '../../src/lib/crypto';
import { loadConfig } from '../../src/lib/config';

describe('keyring (AES-256-GCM with key ids)', () => {
  const a = newKeySpec('a');
  const b = newKeySpec('b');

  it('opens what it seals, for any text', () => {
    const keyring = createKeyring(a);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, context) => {
        const sealed = keyring.seal(text, context);
        expect(sealed).toMatch(/^v1\.a\./);
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

  it('rejects malformed key lists with a reason', () => {
    expect(() => parseKeys('nokey')).toThrow(KeyringError);
    expect(() => parseKeys('k:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeys(`${a},${a}`)).toThrow(/twice/);
    expect(() => loadConfig({ ENCRYPTION_KEYS: 'k:c2hvcnQ=' })).toThrow(/ENCRYPTION_KEYS: key "k" must be 32 bytes/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/ENCRYPTION_KEYS: is required in production/);
  });
});

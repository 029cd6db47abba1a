/**
 * Parsers shared by the settings' declarations (`settings.ts`). Values arrive as strings from the environment;
 * each parser coerces and checks one kind, and its messages name the rule, never the value (it may be a secret).
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { KeyringError, parseKeys } from './crypto';

export const port = z.coerce.number().int().min(1).max(65535);
export const positiveInt = z.coerce.number().int().positive();
export const positiveNumber = z.coerce.number().positive();
export const url = z.url();
export const seconds = z.coerce.number().min(0);
export const positiveSeconds = z.coerce.number().positive();
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A body size as Express's parsers take it; `example` shows the reader a sensible value. */
export function size(example: string) {
  return z.string().regex(/^\d+(b|kb|mb)$/i, `expected a size such as ${example}`);
}

/** A bearer token an operator sets: long enough not to be guessed, and safe in a URL path. */
export const operatorToken = z
  .string()
  .min(24, 'must be at least 24 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');

/** `id:base64,...` AES-256-GCM keys, checked by the keyring that will use them. */
export const encryptionKeys = z.string().superRefine((spec, ctx) => {
  try {
    parseKeys(spec);
  } catch (err) {
    if (!(err instanceof KeyringError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which hops in front of the API are trusted to name the client in `X-Forwarded-For` (Express's
 * `trust proxy`): a number of hops, or a comma-separated list of addresses, CIDR ranges and the names
 * `loopback`, `linklocal`, `uniquelocal`; `none` (or `0`) trusts none. `true` (trust everyone) is refused:
 * any client could then pick its own address and walk past the per-address limits.
 */
export const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): number | string[] => {
    if (/^(none|false)$/i.test(value)) return 0;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const valid = (entry: string) => {
      if (PROXY_NAMES.has(entry)) return true;
      const [address, bits, ...rest] = entry.split('/');
      if (rest.length > 0 || !ipaddr.isValid(address!)) return false;
      return (
        bits === undefined ||
        (/^\d+$/.test(bits) && Number(bits) <= (ipaddr.parse(address!).kind() === 'ipv4' ? 32 : 128))
      );
    };
    if (!entries.every(valid)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'expected a hop count, "none", or addresses, CIDR ranges and loopback/linklocal/uniquelocal, comma-separated',
      });
      return z.NEVER;
    }
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      return z.NEVER;
    }
    return entries;
  });

import type { TFunction } from 'i18next';

/** The API words a rejected proxy line's reason in English; the screen shows the usual ones translated. */
const REASONS: { pattern: RegExp; key: string; params?: (m: RegExpMatchArray) => Record<string, string> }[] = [
  { pattern: /^not a URL/, key: 'admin.proxies.reasons.notUrl' },
  { pattern: /^protocol must be/, key: 'admin.proxies.reasons.protocol' },
  { pattern: /^port \(1–65535\) is required$/, key: 'admin.proxies.reasons.port' },
  {
    pattern: /^(\S+) is not a public address/,
    key: 'admin.proxies.reasons.notPublic',
    params: (m) => ({ address: m[1]! }),
  },
  { pattern: /^the same proxy appears earlier/, key: 'admin.proxies.reasons.duplicate' },
  { pattern: /^host name does not resolve$/, key: 'admin.proxies.reasons.noResolve' },
];

export function translateImportReason(reason: string, t: TFunction): string {
  for (const { pattern, key, params } of REASONS) {
    const match = reason.match(pattern);
    if (match) return t(key, params?.(match) ?? {});
  }
  return reason;
}

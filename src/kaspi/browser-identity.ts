import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { KaspiError } from './errors';

/**
 * The browser our HTTP calls say they come from, in one place. A User-Agent alone, without the headers
 * that browser always sends with it, is the mark of a script; so every call carries the whole set of a
 * desktop Chrome on Windows. The version is the last Chrome that advertised `gzip, deflate, br` without
 * `zstd` (123 added it): the bodies have to be decoded here, and Node 20's zlib has no zstd decoder.
 */
export const CHROME_MAJOR_VERSION = 122;

export const BROWSER_USER_AGENT = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR_VERSION}.0.0.0 Safari/537.36`;

/** What that Chrome sends with every request, besides the request's own `accept`, origin and referer. */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': BROWSER_USER_AGENT,
  'accept-language': 'ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7',
  'accept-encoding': 'gzip, deflate, br',
  'sec-ch-ua': `"Chromium";v="${CHROME_MAJOR_VERSION}", "Not(A:Brand";v="24", "Google Chrome";v="${CHROME_MAJOR_VERSION}"`,
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
};

/** Undoes `Content-Encoding` (applied in the order listed, so undone from the last); identity passes through. */
export function decodeBody(
  endpoint: string,
  bytes: Buffer,
  contentEncoding: string | undefined,
  maxBytes?: number,
): Buffer {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let body = bytes;
  for (const coding of codings.reverse()) {
    try {
      const limit = maxBytes === undefined ? {} : { maxOutputLength: maxBytes };
      if (coding === 'gzip' || coding === 'x-gzip') body = gunzipSync(body, limit);
      else if (coding === 'br') body = brotliDecompressSync(body, limit);
      else if (coding === 'deflate') body = inflateSync(body, limit);
      else throw new Error(`unsupported content-encoding ${coding}`);
    } catch (error) {
      throw new KaspiError({
        kind: 'malformed',
        endpoint,
        detail: `body could not be decoded (${coding})`,
        cause: error,
      });
    }
  }
  return body;
}

/**
 * The login browser looks like a person's desktop Chrome: a desktop window, a User-Agent without
 * "HeadlessChrome" that names the engine's real version (so it agrees with the client hints the engine
 * sends itself) on the platform it really runs on, and no automation flag in `navigator.webdriver`.
 */
export const LOGIN_VIEWPORT = { width: 1920, height: 1080 } as const;

export function loginUserAgent(browserVersion: string): string {
  const major = /^(\d+)/.exec(browserVersion)?.[1] ?? String(CHROME_MAJOR_VERSION);
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

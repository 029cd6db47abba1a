import http from 'node:http';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSP_NONCE_PLACEHOLDER } from '../../src/api/web-cabinet';
import { useTestApi, useTestContext } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';

/** The cookies a `Set-Cookie` list sets, by name, with their attributes as written. */
function setCookies(headers: Headers): Record<string, { value: string; attributes: string }> {
  const found: Record<string, { value: string; attributes: string }> = {};
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const at = pair!.indexOf('=');
    found[pair!.slice(0, at).trim()] = { value: pair!.slice(at + 1), attributes: attributes.join(';').toLowerCase() };
  }
  return found;
}

/**
 * The web cabinet's session: the token lives in an httpOnly, SameSite=Strict cookie no script can
 * read, every request that changes something carries the session's CSRF token, signing out kills the
 * token, and bearer tokens keep working for integrations. The page itself comes with a strict CSP.
 */
describe('web cabinet session and page', () => {
  const api = useTestApi(useTestContext());
  let merchant: Merchant;

  const signIn = async (who = merchant) => {
    const res = await fetch(`${api.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: who.email, password: who.password }),
    });
    return {
      res,
      cookies: setCookies(res.headers),
      body: (await res.json()) as { user: { email: string }; expiresAt: string },
    };
  };
  const withSession = (cookies: Record<string, { value: string }>, csrf?: string) => ({
    cookie: `kd_session=${cookies.kd_session!.value}; kd_csrf=${cookies.kd_csrf!.value}`,
    ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
  });

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'web-session');
  });

  it('signs in with an httpOnly, SameSite=Strict session cookie and a CSRF cookie, never a token in the body', async () => {
    const { res, cookies, body } = await signIn();
    expect(res.status).toBe(200);
    expect(body.user.email).toBe(merchant.email);
    expect(JSON.stringify(body)).not.toMatch(/eyJ/);
    expect(cookies.kd_session!.attributes).toContain('httponly');
    expect(cookies.kd_session!.attributes).toContain('samesite=strict');
    expect(cookies.kd_session!.attributes).toContain('path=/');
    expect(cookies.kd_csrf!.attributes).not.toContain('httponly');
    expect(cookies.kd_csrf!.attributes).toContain('samesite=strict');
    // Plain HTTP here; behind HTTPS (req.secure) the cookies are Secure too.
    expect(cookies.kd_session!.attributes).not.toContain('secure');
    expect(res.headers.get('cache-control')).toBe('no-store');

    const me = await call(api.url, 'GET', '/api/v1/me', { headers: withSession(cookies) });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(merchant.email);
  });

  it('refuses a change made with the cookie but without the session’s CSRF token', async () => {
    const { cookies } = await signIn();
    const other = await signIn();
    const body = { name: 'from a page' };
    const without = await call(api.url, 'POST', '/api/v1/api-keys', { headers: withSession(cookies), body });
    expect(without.status).toBe(403);
    const wrong = await call(api.url, 'POST', '/api/v1/api-keys', {
      headers: withSession(cookies, other.cookies.kd_csrf!.value),
      body,
    });
    expect(wrong.status).toBe(403);
    const right = await call(api.url, 'POST', '/api/v1/api-keys', {
      headers: withSession(cookies, cookies.kd_csrf!.value),
      body,
    });
    expect(right.status).toBe(201);
    // Bearer tokens are not cookies: integrations need no CSRF token.
    const bearer = await call(api.url, 'POST', '/api/v1/api-keys', {
      token: merchant.token,
      body: { name: 'integration' },
    });
    expect(bearer.status).toBe(201);
  });

  it('signs out: the cookies are cleared and the token stops working at once', async () => {
    const { cookies } = await signIn();
    const noCsrf = await call(api.url, 'DELETE', '/api/v1/auth/session', { headers: withSession(cookies) });
    expect(noCsrf.status).toBe(403);
    const out = await fetch(`${api.url}/api/v1/auth/session`, {
      method: 'DELETE',
      headers: withSession(cookies, cookies.kd_csrf!.value),
    });
    expect(out.status).toBe(204);
    const cleared = setCookies(out.headers);
    expect(cleared.kd_session!.value).toBe('');
    expect(cleared.kd_csrf!.value).toBe('');
    expect((await call(api.url, 'GET', '/api/v1/me', { headers: withSession(cookies) })).status).toBe(401);
    // Signing out without a live session only clears the cookies.
    expect((await fetch(`${api.url}/api/v1/auth/session`, { method: 'DELETE' })).status).toBe(204);
  });

  it('answers the wrong password with 401 and sets no cookie', async () => {
    const res = await fetch(`${api.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: merchant.email, password: 'not the password' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('serves the cabinet page for its own paths with a fresh nonce in a strict CSP, and leaves the API paths alone', async () => {
    const page = async (path: string) =>
      fetch(api.url + path, { headers: { accept: 'text/html,application/xhtml+xml' } });
    const first = await page('/products/0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10');
    const second = await page('/');
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('<div id="root">');
    expect(html).not.toContain(CSP_NONCE_PLACEHOLDER);
    const csp = first.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = csp.match(/'nonce-([^']+)'/)![1]!;
    expect(html).toContain(`content="${nonce}"`);
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);

    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const script = await fetch(api.url + asset);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');

    const missingApi = await fetch(`${api.url}/api/v1/no-such-route`, { headers: { accept: 'text/html' } });
    expect(missingApi.status).toBe(404);
    expect(missingApi.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${api.url}/assets/no-such-file.js`)).status).toBe(404);
  });

  it('sends scripts in the compressed copy the browser takes, the same bytes once decoded', async () => {
    const html = await (await fetch(`${api.url}/`, { headers: { accept: 'text/html' } })).text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const raw = (encoding: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(api.url + asset, { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res
              .on('data', (c: Buffer) => chunks.push(c))
              .on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
              .on('error', reject);
          })
          .on('error', reject);
      });
    const plain = await raw('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(br.headers['vary']).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toContain('immutable');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await raw('gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).equals(plain.body)).toBe(true);
    // A path that climbs out of the assets folder is no asset.
    expect(
      (await fetch(`${api.url}/assets/..%2f..%2fpackage.json`, { headers: { 'accept-encoding': 'br' } })).status,
    ).toBe(404);
  });
});

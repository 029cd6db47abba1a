import { Agent, type Dispatcher, type FormData, Pool, ProxyAgent, request } from 'undici';
import type { z } from 'zod';
import { BodyTooLargeError, KASPI_MAX_BODY_BYTES, readCappedBytes } from '../lib/capped-body';
import { checkedProxyLookup } from '../proxies/addresses';
import { BROWSER_HEADERS, decodeBody } from './browser-identity';
import { KaspiError, type KaspiErrorKind, type Surface } from './errors';

export { BROWSER_USER_AGENT } from './browser-identity';
export type { Surface } from './errors';

/** Base URLs of Kaspi's surfaces, exactly as the config holds them (`config.kaspi`), without trailing slashes. */
export interface KaspiUrls {
  publicUrl: string;
  mcUrl: string;
  idmcUrl: string;
  shopApiUrl: string;
}

/** A merchant-cabinet login: the cookies `mc-session` and `mc-sid` (plus any others Kaspi set). */
export interface KaspiSession {
  cookies: Record<string, string>;
}

/** What every call needs besides its own parameters. */
export interface KaspiContext {
  urls: KaspiUrls;
  /** `http://user:password@host:port`; calls go direct when absent. */
  proxyUrl?: string;
  /** Deadline of the whole call, connection included. */
  timeoutMs?: number;
}

export interface CabinetContext extends KaspiContext {
  session: KaspiSession;
}

export interface ShopApiContext extends KaspiContext {
  /** The store's official API token (`X-Auth-Token`). */
  shopApiToken: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Default cooldown after a 429 on price pushes when Kaspi does not say how long (measured ≈30 min). */
export const PUSH_BAN_COOLDOWN_MS = 30 * 60_000;

const dispatchers = new Map<string, Dispatcher>();

/** The proxy did not open a tunnel in time: the proxy's fault, not Kaspi's. */
export class ProxyTunnelError extends Error {
  constructor(cause: unknown) {
    super('the proxy did not open the tunnel in time', { cause });
    this.name = 'ProxyTunnelError';
  }
}

/**
 * The pool of connections to one proxy. undici bounds a proxy's answer to CONNECT neither by the
 * request's deadline nor by anything shorter than its 300 s default: a proxy that takes the CONNECT and
 * never answers would hold a read for minutes. So the wait for that answer gets the call's deadline, and
 * its failure is marked as the proxy's, which moves the read to another proxy.
 */
function tunnelPool(origin: string | URL, options: Pool.Options, tunnelTimeoutMs: number): Pool {
  const pool = new Pool(origin, { ...options, headersTimeout: tunnelTimeoutMs, connectTimeout: tunnelTimeoutMs });
  const connect = pool.connect.bind(pool) as (options: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
  Object.assign(pool, {
    connect: (connectOptions: Dispatcher.ConnectOptions) =>
      connect(connectOptions).catch((error: unknown) => {
        throw new ProxyTunnelError(error);
      }),
  });
  return pool;
}

/**
 * One connection pool per proxy (and one for direct calls), so keep-alive connections are reused;
 * a proxy's pool waits for its tunnels no longer than `timeoutMs`.
 */
export function dispatcherFor(proxyUrl: string | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Dispatcher {
  const key = proxyUrl === undefined ? '' : `${timeoutMs} ${proxyUrl}`;
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    const pool = { keepAliveTimeout: 10_000, connections: 16 };
    // The proxy's host is resolved again, and checked, at every connect (`checkedProxyLookup`).
    dispatcher = proxyUrl
      ? new ProxyAgent({
          uri: proxyUrl,
          proxyTunnel: true,
          ...pool,
          proxyTls: { lookup: checkedProxyLookup },
          clientFactory: (origin, options) => tunnelPool(origin, options, timeoutMs),
        })
      : new Agent(pool);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/** Closes every cached connection pool (at shutdown, or when a proxy is retired). */
export async function closeDispatchers(proxyUrl?: string): Promise<void> {
  const keys = [...dispatchers.keys()].filter((key) => proxyUrl === undefined || key.endsWith(` ${proxyUrl}`));
  await Promise.all(
    keys.map(async (key) => {
      const dispatcher = dispatchers.get(key);
      dispatchers.delete(key);
      await dispatcher?.destroy();
    }),
  );
}

export function cookieHeader(session: KaspiSession): string {
  return Object.entries(session.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** A session from a `Cookie` header string as a browser shows it (`mc-session=...; mc-sid=...`). */
export function parseCookieHeader(header: string): KaspiSession {
  const cookies: Record<string, string> = {};
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name) cookies[name] = part.slice(eq + 1).trim();
  }
  return { cookies };
}

/** Headers the kaspi.kz storefront sends from a product page. */
export function storefrontHeaders(urls: KaspiUrls, referer: string): Record<string, string> {
  return {
    accept: 'application/json, text/*',
    origin: new URL(urls.publicUrl).origin,
    referer,
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'cors',
    'sec-fetch-dest': 'empty',
  };
}

/** Headers the cabinet's web app sends to `mc.shop.kaspi.kz`, cookies included. */
export function cabinetHeaders(ctx: CabinetContext): Record<string, string> {
  return {
    accept: 'application/json, text/plain, */*',
    'x-auth-version': '3',
    origin: new URL(ctx.urls.publicUrl).origin,
    referer: `${ctx.urls.publicUrl}/`,
    cookie: cookieHeader(ctx.session),
  };
}

export interface KaspiRequest<T> {
  /** Our name for the endpoint, used in errors and logs. */
  endpoint: string;
  surface: Surface;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string | FormData;
  schema: z.ZodType<T>;
}

/** A 2xx answer as it came: its status, content type and decoded body. */
export interface KaspiReply {
  status: number;
  contentType: string;
  text: string;
}

/** One call to Kaspi: sends it, classifies every failure as a `KaspiError`, and returns the parsed body. */
export async function kaspiRequest<T>(ctx: KaspiContext, req: KaspiRequest<T>): Promise<T> {
  const reply = await kaspiRequestRaw(ctx, req);
  return parseJsonBody(req.endpoint, reply.status, reply.contentType, reply.text, req.schema, req.surface);
}

/**
 * One call to Kaspi, as a browser sends it (the headers of `BROWSER_HEADERS`), returning any 2xx
 * answer without judging its body; every other outcome is thrown as a classified `KaspiError`.
 */
export async function kaspiRequestRaw(
  ctx: KaspiContext,
  req: Omit<KaspiRequest<unknown>, 'schema'>,
): Promise<KaspiReply> {
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(req.url, {
      method: req.method,
      dispatcher: dispatcherFor(ctx.proxyUrl, timeoutMs),
      headers: { ...BROWSER_HEADERS, ...req.headers },
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw transportError(req.endpoint, error, ctx.proxyUrl !== undefined);
  }

  let bytes: Buffer;
  try {
    bytes = await readCappedBytes(response.body, KASPI_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new KaspiError({
        kind: 'unavailable',
        endpoint: req.endpoint,
        status: response.statusCode,
        detail: error.message,
      });
    }
    throw transportError(req.endpoint, error, ctx.proxyUrl !== undefined);
  }

  const failure = classifyStatus({
    endpoint: req.endpoint,
    surface: req.surface,
    status: response.statusCode,
    retryAfter: headerValue(response.headers['retry-after']),
  });
  if (failure) throw failure;
  // Decoded, the answer is held to the same size: a small gzip can unpack to gigabytes.
  const text = decodeBody(
    req.endpoint,
    bytes,
    headerValue(response.headers['content-encoding']),
    KASPI_MAX_BODY_BYTES,
  ).toString('utf8');
  return { status: response.statusCode, contentType: headerValue(response.headers['content-type']) ?? '', text };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The failure a non-2xx status means on a surface, or undefined for a success. */
export function classifyStatus(args: {
  endpoint: string;
  surface: Surface;
  status: number;
  retryAfter?: string;
}): KaspiError | undefined {
  const { endpoint, surface, status } = args;
  if (status >= 200 && status < 300) return undefined;
  const fail = (kind: KaspiErrorKind, extra: { retryAfterMs?: number; cooldownMs?: number; detail?: string } = {}) =>
    new KaspiError({ kind, endpoint, surface, status, ...extra });
  const retryAfterMs = parseRetryAfter(args.retryAfter);

  if (status >= 300 && status < 400) {
    // The cabinet redirects an unauthenticated browser to the login; the storefront redirects to a challenge.
    return surface === 'public' ? fail('anti_bot', { detail: 'unexpected redirect' }) : fail('session_expired');
  }
  switch (status) {
    case 401:
      return fail('session_expired');
    case 403:
      return surface === 'public' ? fail('ip_throttled', { retryAfterMs }) : fail('session_expired');
    case 404:
      return fail('not_found');
    case 405:
      // We always use the right method, so on the storefront a 405 is the firewall refusing this IP.
      return surface === 'public' ? fail('ip_throttled', { retryAfterMs }) : fail('bad_request');
    case 407:
      return fail('proxy_auth');
    case 408:
      return fail('unavailable');
    case 429:
      return surface === 'pricefeed'
        ? fail('merchant_throttled', { cooldownMs: retryAfterMs ?? PUSH_BAN_COOLDOWN_MS })
        : fail('rate_limited', { retryAfterMs });
  }
  if (status >= 500) return fail('unavailable', { retryAfterMs });
  return fail('bad_request');
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** A failure before or while reading a response: timeouts, resets, and everything a proxy can do wrong. */
export function transportError(endpoint: string, error: unknown, proxied: boolean): KaspiError {
  const err = error as { name?: string; code?: string; message?: string };
  const message = err?.message ?? '';
  if (
    proxied &&
    (error instanceof ProxyTunnelError || (error as { cause?: unknown })?.cause instanceof ProxyTunnelError)
  ) {
    return new KaspiError({
      kind: 'proxy_failed',
      endpoint,
      detail: 'the proxy did not open the tunnel in time',
      cause: error,
    });
  }
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(message);
  if (proxyStatus) {
    const status = Number(proxyStatus[1]);
    return new KaspiError({
      kind: status === 407 ? 'proxy_auth' : 'proxy_failed',
      endpoint,
      status,
      detail: 'proxy refused the tunnel',
      cause: error,
    });
  }
  const timedOut =
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError' ||
    err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err?.code === 'UND_ERR_BODY_TIMEOUT' ||
    err?.code === 'UND_ERR_CONNECT_TIMEOUT';
  if (timedOut) return new KaspiError({ kind: 'unavailable', endpoint, detail: 'timed out', cause: error });
  const code = err?.code ?? '';
  // Through a proxy we cannot tell who dropped the connection, so we blame the proxy and let the caller rotate.
  if (proxied && NETWORK_CODES.has(code)) {
    return new KaspiError({ kind: 'proxy_failed', endpoint, detail: `connection failed (${code})`, cause: error });
  }
  return new KaspiError({
    kind: 'unavailable',
    endpoint,
    detail: code ? `connection failed (${code})` : 'connection failed',
    cause: error,
  });
}

/** Parses a 2xx body: an HTML page is the anti-bot interstitial, anything unparsable is malformed. */
export function parseJsonBody<T>(
  endpoint: string,
  status: number,
  contentType: string,
  text: string,
  schema: z.ZodType<T>,
  surface?: Surface,
): T {
  const looksHtml = /text\/html/i.test(contentType) || /^\s*</.test(text);
  if (looksHtml) throw new KaspiError({ kind: 'anti_bot', endpoint, surface, status, detail: 'HTML instead of JSON' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KaspiError({ kind: 'malformed', endpoint, surface, status, detail: 'body is not JSON' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`)
      .join('; ');
    throw new KaspiError({ kind: 'malformed', endpoint, surface, status, detail: `unexpected shape: ${where}` });
  }
  return parsed.data;
}

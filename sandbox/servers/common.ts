import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import type { Auth, CabinetSession } from '../auth';
import type { EndpointName, Faults } from '../faults';
import type { Limits } from '../limits';
import type { Market } from '../market';
import type { OrderBook } from '../orders';
import type { Random } from '../random';
import type { ExitRefusal, Strictness } from '../strictness';

export interface SandboxUrls {
  publicUrl: string;
  mcUrl: string;
  idmcUrl: string;
  shopApiUrl: string;
}

export interface RequestRecord {
  atMs: number;
  server: 'public' | 'mc' | 'idmc' | 'provider';
  method: string;
  path: string;
  endpoint?: EndpointName;
  sourceIp: string;
  status: number;
}

/** Everything the HTTP surfaces share: state, limits, faults and settings. */
export interface SandboxState {
  market: Market;
  auth: Auth;
  orders: OrderBook;
  limits: Limits;
  faults: Faults;
  random: Random;
  urls: SandboxUrls;
  settings: {
    latency: { baseMs: number; jitterMs: number };
    pushApplyDelayMs: number;
    uploadApplyDelayMs: number;
    /** Which of real Kaspi's harsher behaviours are on (all, unless a test asked for leniency). */
    strict: Strictness;
  };
  /** Source addresses whose storefront reads are refused, and how. */
  refusedExits: Map<string, ExitRefusal>;
  requests: RequestRecord[];
  /** Every request ever served, counted by `endpoint:status` (the log above keeps only the latest). */
  tally: Map<string, number>;
  /** Delayed work (push jobs, uploads) so that stopping the sandbox can cancel it. */
  later(delayMs: number, task: () => void): void;
}

export const MAX_REQUEST_LOG = 20_000;

/** The TCP peer, which behind a sandbox proxy is that proxy's own 127.0.0.x address. */
export function sourceIp(req: Request): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Records every request with its source address and final status (bounded). */
export function recordRequests(state: SandboxState, server: RequestRecord['server']) {
  return (req: Request, res: Response, next: NextFunction) => {
    const record: RequestRecord = {
      atMs: Date.now(),
      server,
      method: req.method,
      path: req.path,
      sourceIp: sourceIp(req),
      status: 0,
    };
    res.locals.record = record;
    res.on('finish', () => {
      record.status = res.statusCode;
      state.requests.push(record);
      const key = `${record.endpoint ?? record.path}:${record.status}`;
      state.tally.set(key, (state.tally.get(key) ?? 0) + 1);
      if (state.requests.length > MAX_REQUEST_LOG) state.requests.splice(0, state.requests.length - MAX_REQUEST_LOG);
    });
    next();
  };
}

/**
 * Compresses answers the way Kaspi's servers do for a browser that accepts it (`br`, else `gzip`), so
 * a client that says it accepts them must decode them.
 */
export function compressReplies(req: Request, res: Response, next: NextFunction): void {
  const accepted = req.get('accept-encoding') ?? '';
  const coding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
  if (!coding || req.method === 'HEAD') return next();
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if ((typeof body !== 'string' && !Buffer.isBuffer(body)) || res.get('content-encoding')) return send(body);
    if (!res.get('content-type')) res.type(typeof body === 'string' ? 'html' : 'bin');
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.set('content-encoding', coding).append('vary', 'accept-encoding');
    // A server compressing on the fly uses a fast level, not brotli's slowest (and default) one.
    const packed =
      coding === 'br'
        ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
        : gzipSync(raw, { level: 6 });
    return send(packed);
  };
  next();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Network latency with jitter, before an endpoint answers. */
export async function simulateLatency(state: SandboxState): Promise<void> {
  const { baseMs, jitterMs } = state.settings.latency;
  const ms = baseMs + (jitterMs > 0 ? state.random.next() * jitterMs : 0);
  if (ms > 0) await sleep(ms);
}

export const INTERSTITIAL_HTML =
  '<!DOCTYPE html><html><head><title>Kaspi.kz</title></head><body>' +
  '<div class="challenge">Проверяем, что вы не робот…</div><script>/* challenge */</script></body></html>';

/** Names the endpoint of a request in the request log. */
export function tag(res: Response, endpoint: EndpointName): void {
  const record = res.locals.record as RequestRecord | undefined;
  if (record) record.endpoint = endpoint;
}

/**
 * Network latency, then an injected fault if one matches. Returns true when the fault answered (or
 * dropped) the request; a `slow` fault only delays it.
 */
export async function endpointFault(
  state: SandboxState,
  endpoint: EndpointName,
  req: Request,
  res: Response,
): Promise<boolean> {
  await simulateLatency(state);
  const fault = state.faults.take(endpoint);
  if (!fault) return false;
  switch (fault.kind) {
    case '5xx':
      res.status(fault.status ?? 503).json({ error: 'Service Unavailable' });
      return true;
    case 'malformed':
      res.status(200).type('application/json').send('{"data":[{"id":');
      return true;
    case 'wrong_schema':
      res.status(200).json({ result: { items: 'renamed' } });
      return true;
    case 'html':
      res.status(200).type('text/html').send(INTERSTITIAL_HTML);
      return true;
    case 'drop':
      req.socket.destroy();
      return true;
    case '401':
      res.status(401).json({ error: 'Unauthorized' });
      return true;
    case '429':
      res
        .status(429)
        .set('Retry-After', String(fault.retryAfterSeconds ?? 2))
        .json({ error: 'Too Many Requests' });
      return true;
    case 'slow':
      await sleep(fault.delayMs ?? 30_000);
      return req.socket.destroyed;
  }
}

/** Kaspi's storefront refuses bare requests: a browser User-Agent and a Referer or Origin are required. */
export function hasBrowserHeaders(req: Request): boolean {
  const ua = req.get('user-agent') ?? '';
  return /Mozilla\/5\.0/.test(ua) && Boolean(req.get('referer') || req.get('origin'));
}

export function refuseBare(res: Response): void {
  res.status(403).type('text/html').send('<html><body><h1>403 Forbidden</h1></body></html>');
}

/**
 * The cabinet's guard: `x-auth-version: 3` and a live `mc-session` + `mc-sid` pair. Answers the
 * request itself (400 or 401) and returns undefined when they are missing.
 */
export function cabinetSession(state: SandboxState, req: Request, res: Response): CabinetSession | undefined {
  if (req.get('x-auth-version') !== '3') {
    res.status(400).json({ error: 'x-auth-version header is required' });
    return undefined;
  }
  const session = state.auth.sessionFor(parseCookies(req.get('cookie')));
  if (!session) {
    res.status(401).json({ error: 'Unauthorized' });
    return undefined;
  }
  return session;
}

/** The merchant a cabinet call names (`m` or `merchantUid`) must be one the session manages. */
export function ownMerchant(session: CabinetSession, merchantUid: unknown, res: Response): string | undefined {
  if (typeof merchantUid !== 'string' || !merchantUid) {
    res.status(400).json({ error: 'merchant id is required' });
    return undefined;
  }
  if (!session.merchantUids.includes(merchantUid)) {
    res.status(403).json({ error: 'Access denied' });
    return undefined;
  }
  return merchantUid;
}

/** A limit's answer: Kaspi's IP ban is a bare 403 page; its 429s say when to come back. */
export function sendLimit(res: Response, verdict: { status: number; retryAfterMs: number }): void {
  if (verdict.status === 403) {
    refuseBare(res);
    return;
  }
  res.set('Retry-After', String(Math.max(1, Math.ceil(verdict.retryAfterMs / 1000))));
  res.status(verdict.status).json({ error: 'Too Many Requests' });
}

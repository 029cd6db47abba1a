/**
 * The proxy shop the pool buys from, behind an interface so another shop can take its place. The one
 * implementation speaks Proxy6's API: `GET {url}/api/{key}/{method}/?{params}`, answers with
 * `status: "yes"` (plus the account's `balance`) or `status: "no"` with `error_id` and `error`.
 */

import { z } from 'zod';

export interface ProviderProxy {
  providerProxyId: string;
  protocol: 'http' | 'socks5';
  host: string;
  port: number;
  username: string;
  password: string;
  expiresAt: Date;
  active: boolean;
}

export interface ProxyProvider {
  readonly name: string;
  balance(): Promise<{ balance: number; currency: string }>;
  /** What `count` proxies for `periodDays` cost, and one of them. */
  price(count: number, periodDays: number): Promise<{ total: number; perProxy: number }>;
  buy(order: { count: number; periodDays: number; country: string; descr: string }): Promise<ProviderProxy[]>;
  list(): Promise<ProviderProxy[]>;
  /** New end dates of the prolonged proxies, by provider id. */
  prolong(providerProxyIds: string[], periodDays: number): Promise<Map<string, Date>>;
  delete(providerProxyIds: string[]): Promise<number>;
}

export class ProviderError extends Error {
  constructor(
    readonly method: string,
    readonly errorId: number | undefined,
    message: string,
  ) {
    super(`proxy provider ${method} failed: ${message}`);
    this.name = 'ProviderError';
  }
}

/** Proxy6's error id for "not enough money on the account". */
export const PROVIDER_NO_MONEY = 400;

const numeric = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());

const okBody = z.object({ status: z.literal('yes'), balance: numeric, currency: z.string() });
const failedBody = z.object({ status: z.literal('no'), error_id: numeric.optional(), error: z.string().optional() });

const proxyItem = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  host: z.string().min(1),
  port: numeric,
  user: z.string(),
  pass: z.string(),
  type: z.string(),
  unixtime_end: numeric,
  active: z.union([z.string(), z.number(), z.boolean()]).transform((v) => v === true || String(v) === '1'),
});
const proxyList = z.record(z.string(), proxyItem).or(z.array(z.never()).transform(() => ({})));

function toProviderProxy(item: z.infer<typeof proxyItem>): ProviderProxy {
  return {
    providerProxyId: item.id,
    protocol: item.type === 'socks' || item.type === 'socks5' ? 'socks5' : 'http',
    host: item.host,
    port: item.port,
    username: item.user,
    password: item.pass,
    expiresAt: new Date(item.unixtime_end * 1000),
    active: item.active,
  };
}

export interface Proxy6Options {
  /** e.g. `https://proxy6.net`, or the sandbox's provider. */
  url: string;
  apiKey: string;
  timeoutMs?: number;
}

/** IPv4 proxies: Kazakhstan's networks and Kaspi see little IPv6. */
const IPV4 = '4';

export function createProxy6Provider(options: Proxy6Options): ProxyProvider {
  async function call<T extends z.ZodType>(
    method: string,
    params: Record<string, string | number>,
    schema: T,
  ): Promise<z.infer<T> & z.infer<typeof okBody>> {
    const query = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    const path = `/api/${encodeURIComponent(options.apiKey)}/${method}${method ? '/' : ''}${query ? `?${query}` : ''}`;
    let response: Response;
    try {
      response = await fetch(options.url + path, { signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
    } catch (err) {
      // The URL holds the API key: never let it into a message.
      throw new ProviderError(method || 'balance', undefined, `no answer (${(err as Error).name})`);
    }
    if (!response.ok) throw new ProviderError(method || 'balance', undefined, `HTTP ${response.status}`);
    const json: unknown = await response.json().catch(() => undefined);
    const failed = failedBody.safeParse(json);
    if (failed.success)
      throw new ProviderError(method || 'balance', failed.data.error_id, failed.data.error ?? 'refused');
    const parsed = okBody.and(schema).safeParse(json);
    if (!parsed.success) throw new ProviderError(method || 'balance', undefined, 'unexpected answer');
    return parsed.data as z.infer<T> & z.infer<typeof okBody>;
  }

  return {
    name: 'proxy6',
    async balance() {
      const body = await call('', {}, z.object({}));
      return { balance: body.balance, currency: body.currency };
    },
    async price(count, periodDays) {
      const body = await call(
        'getprice',
        { count, period: periodDays, version: IPV4 },
        z.object({ price: numeric, price_single: numeric }),
      );
      return { total: body.price, perProxy: body.price_single };
    },
    async buy(order) {
      const body = await call(
        'buy',
        {
          count: order.count,
          period: order.periodDays,
          country: order.country,
          version: IPV4,
          type: 'http',
          descr: order.descr,
        },
        z.object({ list: proxyList }),
      );
      return Object.values(body.list).map(toProviderProxy);
    },
    async list() {
      const body = await call('getproxy', { state: 'all' }, z.object({ list: proxyList }));
      return Object.values(body.list).map(toProviderProxy);
    },
    async prolong(providerProxyIds, periodDays) {
      const body = await call(
        'prolong',
        { period: periodDays, ids: providerProxyIds.join(',') },
        z.object({
          list: z.record(z.string(), z.object({ unixtime_end: numeric })).or(z.array(z.never()).transform(() => ({}))),
        }),
      );
      return new Map(Object.entries(body.list).map(([id, item]) => [id, new Date(item.unixtime_end * 1000)]));
    },
    async delete(providerProxyIds) {
      const body = await call('delete', { ids: providerProxyIds.join(',') }, z.object({ count: numeric }));
      return body.count;
    },
  };
}

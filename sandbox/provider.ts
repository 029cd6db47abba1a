/**
 * A proxy shop in the style of Proxy6 (`/api/{key}/{method}?...`, answers `status: "yes" | "no"` with the
 * account's balance on every success). It sells the sandbox's own proxies and tracks a balance.
 */

import express from 'express';
import type { SandboxProxy } from './proxies';

export interface ProviderOptions {
  apiKey: string;
  /** Starting balance, in the account currency. */
  balance: number;
  /** Price of one proxy for one day. */
  pricePerProxyDay: number;
  currency: string;
}

interface Lease {
  proxy: SandboxProxy;
  startMs: number;
  endMs: number;
  descr: string;
}

const DAY_MS = 24 * 3600_000;

/** Proxy6's error ids. */
const ERRORS = {
  key: { error_id: 100, error: 'Error key' },
  method: { error_id: 110, error: 'Error method' },
  count: { error_id: 200, error: 'Error count' },
  period: { error_id: 210, error: 'Error period' },
  ids: { error_id: 230, error: 'Error ids' },
  noProxies: { error_id: 300, error: 'Error active proxy allow' },
  money: { error_id: 400, error: 'Error no money' },
  notFound: { error_id: 404, error: 'Error not found' },
} as const;

export class ProxyProvider {
  balance: number;
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly options: ProviderOptions,
    private readonly stock: () => SandboxProxy[],
    private readonly now: () => number,
  ) {
    this.balance = options.balance;
  }

  get apiKey(): string {
    return this.options.apiKey;
  }

  reset(): void {
    this.balance = this.options.balance;
    for (const proxy of this.stock()) proxy.revoked = false;
    this.leases.clear();
  }

  private revoke(proxy: SandboxProxy): void {
    proxy.revoked = true;
    proxy.closeTunnels();
  }

  private base() {
    return {
      status: 'yes',
      user_id: '1',
      balance: this.balance.toFixed(2),
      currency: this.options.currency,
    };
  }

  private item(lease: Lease) {
    const p = lease.proxy;
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    return {
      id: p.id,
      version: '4',
      ip: p.localAddress,
      host: p.host,
      port: String(p.port),
      user: p.username,
      pass: p.password,
      type: 'http',
      country: 'kz',
      date: fmt(lease.startMs),
      date_end: fmt(lease.endMs),
      unixtime: Math.floor(lease.startMs / 1000),
      unixtime_end: Math.floor(lease.endMs / 1000),
      descr: lease.descr,
      active: lease.endMs > this.now() ? '1' : '0',
    };
  }

  private free(): SandboxProxy[] {
    return this.stock().filter((p) => !this.leases.has(p.id));
  }

  /** Expired leases stop working like Proxy6's do: the credentials are refused. */
  private expire(): void {
    for (const lease of this.leases.values()) {
      if (lease.endMs <= this.now() && !lease.proxy.revoked) this.revoke(lease.proxy);
    }
  }

  /** One API call; returns the JSON body. */
  call(method: string, q: Record<string, string | undefined>): Record<string, unknown> {
    this.expire();
    const no = (e: { error_id: number; error: string }) => ({ status: 'no', ...e });
    const ids = (q.ids ?? '').split(',').filter(Boolean);
    switch (method) {
      case '':
        return this.base();
      case 'getprice': {
        const count = Number(q.count);
        const period = Number(q.period);
        if (!(count > 0)) return no(ERRORS.count);
        if (!(period > 0)) return no(ERRORS.period);
        const price = count * period * this.options.pricePerProxyDay;
        return { ...this.base(), price, price_single: period * this.options.pricePerProxyDay, period, count };
      }
      case 'getcount':
        return { ...this.base(), count: this.free().length };
      case 'getcountry':
        return { ...this.base(), list: ['kz'] };
      case 'getproxy': {
        const wanted = q.state ?? 'all';
        const now = this.now();
        const leases = [...this.leases.values()].filter(
          (l) =>
            (!q.descr || l.descr === q.descr) &&
            (wanted === 'all' ||
              (wanted === 'active' && l.endMs > now) ||
              (wanted === 'expired' && l.endMs <= now) ||
              (wanted === 'expiring' && l.endMs > now && l.endMs - now < 3 * DAY_MS)),
        );
        return {
          ...this.base(),
          list_count: leases.length,
          list: Object.fromEntries(leases.map((l) => [l.proxy.id, this.item(l)])),
        };
      }
      case 'buy': {
        const count = Number(q.count);
        const period = Number(q.period);
        if (!Number.isInteger(count) || count < 1) return no(ERRORS.count);
        if (!Number.isInteger(period) || period < 1) return no(ERRORS.period);
        const free = this.free();
        if (free.length < count) return no(ERRORS.noProxies);
        const price = count * period * this.options.pricePerProxyDay;
        if (price > this.balance) return no(ERRORS.money);
        this.balance -= price;
        const now = this.now();
        const bought = free.slice(0, count).map((proxy) => {
          proxy.revoked = false;
          const lease = { proxy, startMs: now, endMs: now + period * DAY_MS, descr: q.descr ?? '' };
          this.leases.set(proxy.id, lease);
          return lease;
        });
        return {
          ...this.base(),
          count,
          price,
          period,
          country: 'kz',
          list: Object.fromEntries(bought.map((l) => [l.proxy.id, this.item(l)])),
        };
      }
      case 'prolong': {
        const period = Number(q.period);
        if (!Number.isInteger(period) || period < 1) return no(ERRORS.period);
        const leases = ids.map((id) => this.leases.get(id));
        if (ids.length === 0 || leases.some((l) => !l)) return no(ERRORS.ids);
        const price = leases.length * period * this.options.pricePerProxyDay;
        if (price > this.balance) return no(ERRORS.money);
        this.balance -= price;
        for (const lease of leases as Lease[]) {
          lease.endMs = Math.max(lease.endMs, this.now()) + period * DAY_MS;
          lease.proxy.revoked = false;
        }
        return {
          ...this.base(),
          price,
          period,
          count: leases.length,
          list: Object.fromEntries(
            (leases as Lease[]).map((l) => [
              l.proxy.id,
              { id: l.proxy.id, date_end: this.item(l).date_end, unixtime_end: Math.floor(l.endMs / 1000) },
            ]),
          ),
        };
      }
      case 'delete': {
        const targets = q.descr
          ? [...this.leases.values()].filter((l) => l.descr === q.descr)
          : ids.map((id) => this.leases.get(id)).filter((l): l is Lease => !!l);
        if (targets.length === 0) return no(q.descr ? ERRORS.notFound : ERRORS.ids);
        for (const lease of targets) {
          this.revoke(lease.proxy);
          this.leases.delete(lease.proxy.id);
        }
        return { ...this.base(), count: targets.length };
      }
      case 'check': {
        const lease = this.leases.get(ids[0] ?? '');
        if (!lease) return no(ERRORS.ids);
        return {
          ...this.base(),
          proxy_id: lease.proxy.id,
          proxy_status: lease.endMs > this.now() && lease.proxy.mode === 'ok',
        };
      }
      default:
        return no(ERRORS.method);
    }
  }

  /** Moves every lease's end by `deltaMs` (negative to make proxies expire now). */
  shiftLeases(deltaMs: number): void {
    for (const lease of this.leases.values()) lease.endMs += deltaMs;
    this.expire();
  }

  router(): express.Router {
    const router = express.Router();
    const handle = (req: express.Request, res: express.Response) => {
      if (req.params.key !== this.options.apiKey) {
        res.json({ status: 'no', ...ERRORS.key });
        return;
      }
      const q = Object.fromEntries(
        Object.entries(req.query).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]),
      );
      res.json(this.call(String(req.params.method ?? ''), q));
    };
    router.get('/api/:key', handle);
    router.get('/api/:key/:method', handle);
    return router;
  }
}

import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const PROXY_PROTOCOLS = ['http', 'socks5'] as const;
export type ProxyProtocol = (typeof PROXY_PROTOCOLS)[number];

export interface ProxyEndpoint {
  protocol: ProxyProtocol;
  host: string;
  port: number;
  username: string | null;
  password: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads one proxy as an admin pastes it: `http://user:password@host:port` or `socks5://…`. The port
 * is required (a proxy has no default one); a password needs a user.
 */
export function parseProxyUrl(input: string): Parsed<ProxyEndpoint> {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'not a URL such as http://user:password@host:port' };
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (!(PROXY_PROTOCOLS as readonly string[]).includes(protocol)) {
    return { ok: false, reason: `protocol must be ${PROXY_PROTOCOLS.join(' or ')}` };
  }
  if (url.pathname !== '' && url.pathname !== '/') return { ok: false, reason: 'a proxy URL has no path' };
  if (url.search || url.hash) return { ok: false, reason: 'a proxy URL has no query or fragment' };
  const rawHost = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!rawHost) return { ok: false, reason: 'host is missing' };
  // Read from the text: the URL parser drops a default port (:80 for http), which a proxy still needs.
  const portText = /:(\d{1,5})\/?$/.exec(text)?.[1];
  const port = Number(portText);
  if (!portText || port < 1 || port > 65535) return { ok: false, reason: 'port (1–65535) is required' };
  // One spelling per address, so `0x7f000001` and `127.0.0.1` are the same proxy.
  const host = ipaddr.isValid(rawHost) ? ipaddr.process(rawHost).toString() : rawHost.toLowerCase();
  const username = url.username ? decodeURIComponent(url.username) : null;
  const password = url.password ? decodeURIComponent(url.password) : null;
  if (password !== null && username === null) return { ok: false, reason: 'a password needs a user name' };
  return { ok: true, value: { protocol: protocol as ProxyProtocol, host, port, username, password } };
}

/** The endpoint as it may be shown or logged: the password never. */
export function describeEndpoint(endpoint: Pick<ProxyEndpoint, 'protocol' | 'host' | 'port' | 'username'>): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${endpoint.protocol}://${endpoint.username ? `${endpoint.username}@` : ''}${host}:${endpoint.port}`;
}

/** A pasted line with any password masked, fit to echo back in an answer. */
export function maskSecret(input: string): string {
  return input.replace(/^([a-z0-9+.-]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@').slice(0, 300);
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why a host may not be a proxy, or undefined when it may. Only public unicast addresses are
 * allowed: a proxy on loopback, a private or link-local network, or an unspecified address would
 * let whoever imports it make our workers reach inside our own network. Numeric spellings
 * (`0x7f000001`, `2130706433`, `127.1`) are read as the addresses they are, and names are resolved
 * so every address they point at is checked.
 */
export async function refusedAddressReason(
  host: string,
  resolve: Resolver = systemResolver,
): Promise<string | undefined> {
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      return 'host name does not resolve';
    }
    if (addresses.length === 0) return 'host name does not resolve';
  }
  for (const address of addresses) {
    const refused = refusedIp(address);
    if (refused) return refused;
  }
  return undefined;
}

/** Why one IP address may not be a proxy's, or undefined when it is public unicast. */
function refusedIp(address: string): string | undefined {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${parsed.toString()} is not a public address (${range})`;
}

let privateAddressesAllowed = false;

/** The process's `PROXY_ALLOW_PRIVATE_ADDRESSES` (the sandbox's proxies live on 127.0.0.x); refused until set. */
export function allowPrivateProxyAddresses(allowed: boolean): void {
  privateAddressesAllowed = allowed;
}

/**
 * The DNS lookup of every connection to a proxy (given to the connector, so it runs at connect time):
 * a host checked when it was imported can be pointed elsewhere later (DNS rebinding), so every address
 * it resolves to now is checked again and the connection refused if one is not public.
 */
export const checkedProxyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const refused = privateAddressesAllowed ? undefined : addresses.map((a) => refusedIp(a.address)).find(Boolean);
    if (refused || addresses.length === 0) {
      const failure = Object.assign(
        new Error(`proxy host ${hostname} refused at connect time: ${refused ?? 'no address'}`),
        {
          code: 'EPROXYADDRESS',
        },
      );
      return callback(failure, '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

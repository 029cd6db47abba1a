import net from 'node:net';

/**
 * `forward`: bytes flow both ways. `blackhole`: a network partition as the client sees it — connections
 * are still accepted and bytes still taken, but nothing is forwarded and nothing comes back; a client
 * learns of it only from its own timeouts.
 */
export type RelayMode = 'forward' | 'blackhole';

/** An HTTP/1.1 request as the relay saw its request line go by. */
export interface RelayedRequest {
  atMs: number;
  method: string;
  path: string;
  /** The relay's mode when the request line arrived: in `blackhole` it was held, never forwarded. */
  mode: RelayMode;
  /** When the client closed the connection the request came on (a timed-out client gives up so); null while open. */
  closedAtMs: number | null;
}

export interface TcpRelay {
  /** `http://127.0.0.1:<port>`: the target's URLs with this origin instead reach the target through the relay. */
  origin: string;
  mode(): RelayMode;
  blackhole(): void;
  /** Forwards again: bytes held during the blackhole go on, as TCP would deliver them once a partition heals. */
  heal(): void;
  /** Every request line seen, forwarded or held, oldest first. */
  requests: RelayedRequest[];
  close(): Promise<void>;
}

/** A request line can straddle two reads; this much of the previous read is scanned again with the next. */
const CARRY_BYTES = 2_100;
const REQUEST_LINE = /(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S{0,2000}) HTTP\/1\.[01]\r\n/g;

interface Link {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Bytes taken during a blackhole, in order, for each direction. */
  toUpstream: Buffer[];
  toClient: Buffer[];
  /** The target closed the connection during a blackhole: the client hears of it after the heal. */
  upstreamEnded: boolean;
  requests: RelayedRequest[];
  carry: string;
}

/** A loopback TCP relay in front of `target` that a test can switch into a blackhole and heal again. */
export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  let mode: RelayMode = 'forward';
  const links = new Set<Link>();
  const requests: RelayedRequest[] = [];

  const send = (from: net.Socket, to: net.Socket, chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  };

  const connectUpstream = (link: Link) => {
    const upstream = net.connect(target);
    link.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'forward') send(upstream, link.client, chunk);
      else link.toClient.push(chunk);
    });
    upstream.on('error', () => link.client.destroy());
    upstream.on('close', () => {
      if (mode === 'forward') link.client.end();
      else link.upstreamEnded = true;
    });
  };

  const countRequests = (link: Link, chunk: Buffer) => {
    const text = link.carry + chunk.toString('latin1');
    for (const match of text.matchAll(REQUEST_LINE)) {
      // A line wholly inside the carried part was counted with the previous read.
      if (match.index + match[0].length <= link.carry.length) continue;
      const request: RelayedRequest = { atMs: Date.now(), method: match[1]!, path: match[2]!, mode, closedAtMs: null };
      link.requests.push(request);
      requests.push(request);
    }
    link.carry = text.slice(-CARRY_BYTES);
  };

  const server = net.createServer((client) => {
    const link: Link = {
      client,
      upstream: null,
      toUpstream: [],
      toClient: [],
      upstreamEnded: false,
      requests: [],
      carry: '',
    };
    links.add(link);
    // In a blackhole not even the connection to the target is opened: it would be traffic.
    if (mode === 'forward') connectUpstream(link);
    client.on('data', (chunk: Buffer) => {
      countRequests(link, chunk);
      if (mode === 'forward' && link.upstream) send(client, link.upstream, chunk);
      else link.toUpstream.push(chunk);
    });
    client.on('error', () => undefined);
    client.on('close', () => {
      const at = Date.now();
      for (const request of link.requests) request.closedAtMs ??= at;
      link.upstream?.destroy();
      links.delete(link);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    mode: () => mode,
    requests,
    blackhole() {
      mode = 'blackhole';
    },
    heal() {
      mode = 'forward';
      for (const link of links) {
        if (!link.upstream) connectUpstream(link);
        for (const chunk of link.toUpstream.splice(0)) send(link.client, link.upstream!, chunk);
        for (const chunk of link.toClient.splice(0)) send(link.upstream!, link.client, chunk);
        if (link.upstreamEnded) link.client.end();
      }
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

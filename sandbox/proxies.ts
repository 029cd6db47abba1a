/**
 * Local HTTP CONNECT proxies. Each one opens its outgoing connections from its own loopback address
 * (127.0.0.x), so the sandbox's per-IP limits see one client per proxy, as Kaspi sees one per exit IP.
 * Tunnels go only to the sandbox's own ports.
 */

import http from 'node:http';
import net from 'node:net';

export type ProxyMode = 'ok' | '502' | 'hang' | 'drop';

export interface SandboxProxy {
  id: string;
  host: string;
  port: number;
  username: string;
  password: string;
  /** The source address Kaspi sees for requests through this proxy. */
  localAddress: string;
  /** `http://user:password@127.0.0.1:port` */
  url: string;
  /**
   * `ok` tunnels; `502` answers CONNECT with 502 Bad Gateway; `hang` takes the CONNECT and never
   * answers; `drop` accepts the tunnel and then cuts it.
   * `revoked` credentials (expired or deleted at the provider) get 407.
   */
  mode: ProxyMode;
  revoked: boolean;
  tunnels: number;
  /** Cuts open tunnels, so a change of mode or credentials applies to pooled connections too. */
  closeTunnels(): void;
}

export interface RunningProxy {
  proxy: SandboxProxy;
  close(): Promise<void>;
}

export async function startProxy(options: {
  id: string;
  host: string;
  localAddress: string;
  username: string;
  password: string;
  /** Ports a tunnel may reach (the sandbox's own servers). */
  allowedPorts: () => number[];
}): Promise<RunningProxy> {
  const server = http.createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' }).end('only CONNECT is supported');
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const proxy: SandboxProxy = {
    id: options.id,
    host: options.host,
    port: 0,
    username: options.username,
    password: options.password,
    localAddress: options.localAddress,
    url: '',
    mode: 'ok',
    revoked: false,
    tunnels: 0,
    closeTunnels: () => {
      for (const socket of tunnels) socket.destroy();
    },
  };
  const tunnels = new Set<net.Socket>();

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => client.destroy());
    const answer = (status: string, headers: string[] = []) =>
      client.end(`HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Length: 0\r\n\r\n`);
    if (proxy.revoked || req.headers['proxy-authorization'] !== expected) {
      answer('407 Proxy Authentication Required', ['Proxy-Authenticate: Basic realm="sandbox"']);
      return;
    }
    if (proxy.mode === '502') {
      answer('502 Bad Gateway');
      return;
    }
    if (proxy.mode === 'hang') {
      // Held open, unanswered, until the client gives up (or the proxy is closed).
      tunnels.add(client);
      client.on('close', () => tunnels.delete(client));
      return;
    }
    const [targetHost, targetPort] = splitHostPort(req.url ?? '');
    const loopback = targetHost === '127.0.0.1' || targetHost === 'localhost';
    if (!loopback || !options.allowedPorts().includes(targetPort)) {
      answer('403 Forbidden');
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, localAddress: options.localAddress });
    upstream.on('error', () => {
      if (!client.destroyed) answer('502 Bad Gateway');
      upstream.destroy();
    });
    upstream.on('connect', () => {
      proxy.tunnels++;
      tunnels.add(client);
      client.on('close', () => tunnels.delete(client));
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (proxy.mode === 'drop') {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.url = `http://${encodeURIComponent(options.username)}:${encodeURIComponent(options.password)}@${options.host}:${proxy.port}`;
  return {
    proxy,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function splitHostPort(target: string): [string, number] {
  const i = target.lastIndexOf(':');
  return i < 0 ? [target, 443] : [target.slice(0, i), Number(target.slice(i + 1))];
}

import { execFile as execFileCb, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

/** Custom search attributes operators filter runs by in the Temporal UI. */
export const SEARCH_ATTRIBUTES = { UserId: 'Keyword', StoreId: 'Keyword' } as const;

const CLI_SCRIPT = path.resolve(__dirname, '../../scripts/temporal-cli.sh');

/** The path of a `temporal` binary: TEMPORAL_CLI_PATH, PATH, the cache, or a one-time build (progress on stderr). */
export async function resolveTemporalCli(cliPath?: string): Promise<string> {
  const env = { ...process.env, ...(cliPath ? { TEMPORAL_CLI_PATH: cliPath } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLI_SCRIPT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const binary = out.trim().split('\n').pop();
      if (code === 0 && binary) resolve(binary);
      else reject(new Error(`could not obtain the Temporal CLI (scripts/temporal-cli.sh exited with ${code})`));
    });
  });
}

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function waitForPort(host: string, port: number, timeoutMs: number, isAlive: () => boolean = () => true) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (!isAlive()) throw new Error(`process serving ${host}:${port} exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${host}:${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a child with SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startTemporalDevServer(options: {
  cliPath: string;
  port: number;
  namespace: string;
  /** SQLite file for persistence; in memory when omitted. */
  dbFile?: string;
  /** Web UI port; headless when omitted. */
  uiPort?: number;
  /**
   * The codec endpoint the Web UI calls to show decrypted payloads. It holds the codec token, so it
   * reaches the server through a private settings file, never the command line (`ps` shows that).
   */
  uiCodecEndpoint?: string;
  /** Put the server in its own process group so a terminal's Ctrl-C reaches only our launcher. */
  detached?: boolean;
  stdio?: 'inherit' | 'ignore';
}): Promise<TemporalDevServer> {
  const settingsFile = options.uiCodecEndpoint
    ? privateSettingsFile({ 'ui-codec-endpoint': options.uiCodecEndpoint })
    : undefined;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(settingsFile ? ['--env-file', settingsFile.path] : []),
    // Update-with-start and friends; they are off by default on older dev servers.
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableExecuteMultiOperation=true',
  ];
  const inherit = options.stdio === 'inherit';
  const child = spawn(options.cliPath, args, {
    stdio: ['ignore', inherit ? 'inherit' : 'ignore', inherit ? 'inherit' : 'pipe'],
    detached: options.detached ?? false,
  });
  // Keep the tail of what the server says, to explain a failed start.
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-2000)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort('127.0.0.1', options.port, 60_000, alive);
    if (options.uiPort) await waitForPort('127.0.0.1', options.uiPort, 30_000, alive);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}${stderrTail ? `; the server said: ${stderrTail.trim()}` : ''}`);
  } finally {
    // Read at start-up only.
    settingsFile?.remove();
  }
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

/**
 * Flag values for the CLI in its settings-file format (`env.default.<flag>`), in a directory only this
 * user can read; `remove()` deletes it.
 */
function privateSettingsFile(flags: Record<string, string>): { path: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaspi-demper-temporal-'));
  const file = path.join(dir, 'temporal.yaml');
  const lines = Object.entries(flags).map(([flag, value]) => `    ${flag}: ${JSON.stringify(value)}`);
  fs.writeFileSync(file, `env:\n  default:\n${lines.join('\n')}\n`, { mode: 0o600 });
  return { path: file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The CLI's version line, for start-up logs. */
export async function temporalCliVersion(cliPath: string): Promise<string> {
  const { stdout } = await execFile(cliPath, ['--version']);
  return stdout.trim();
}

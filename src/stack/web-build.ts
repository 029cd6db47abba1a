import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const WEB = path.join(ROOT, 'web');
export const WEB_DIST = path.join(WEB, 'dist');
const SOURCES = [
  path.join(WEB, 'src'),
  path.join(WEB, 'public'),
  path.join(WEB, 'index.html'),
  path.join(WEB, 'vite.config.mts'),
];

function newestMtimeMs(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  return newest;
}

/** The built cabinet is missing or older than one of its sources. */
export function webBuildIsStale(): boolean {
  const built = newestMtimeMs(path.join(WEB_DIST, 'index.html'));
  return built === 0 || Math.max(...SOURCES.map(newestMtimeMs)) > built;
}

/**
 * Builds the web cabinet (Vite) when its sources are newer than the build, so `npm start`, the demo
 * and the tests always serve what the sources say. Vite's own output goes to `log`.
 */
export async function ensureWebBuild(log: (line: string) => void = () => undefined): Promise<'fresh' | 'built'> {
  if (!webBuildIsStale()) return 'fresh';
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', path.join(WEB, 'vite.config.mts'), '--logLevel', 'warn'],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the web cabinet did not build (exit ${code}):\n${output}`)),
    );
  });
  return 'built';
}

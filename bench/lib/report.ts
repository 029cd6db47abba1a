import fs from 'node:fs';
import path from 'node:path';

/** Command-line options as `--name value` or `--name=value`, with defaults. */
export function options<T extends Record<string, string>>(defaults: T, argv = process.argv.slice(2)): T {
  const result: Record<string, string> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!(name in defaults))
      throw new Error(
        `unknown option --${name}; known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(', ')}`,
      );
    result[name] = inline ?? argv[++i] ?? '';
  }
  return result as T;
}

export function range(text: string): [number, number] {
  const [a, b] = text.split('-').map(Number);
  return [a!, b ?? a!];
}

/** A plain text table: the first row is the header. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  return rows
    .map((row, i) => {
      const line = row
        .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!)))
        .join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
export const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Writes the run's figures to bench/results/<name>-<timestamp>.json and says where. */
export function writeResults(name: string, results: unknown): string {
  const dir = path.resolve(__dirname, '../results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return path.relative(process.cwd(), file);
}

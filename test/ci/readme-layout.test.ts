import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

/** The folders the README's Layout table names, as `src/demper` or `bench`. */
function foldersInLayoutTable(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('### Layout'));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)\/`/g)].map((m) => m[1]!));
}

const subfolders = (dir: string) =>
  fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

describe("the README's Layout table", () => {
  it('names every folder of src/ and every top-level folder of the project, and nothing else', () => {
    const tracked = ['bench', 'docs', 'drizzle', 'sandbox', 'scripts', 'test', 'web'];
    for (const folder of tracked) expect(fs.existsSync(path.join(root, folder)), folder).toBe(true);
    const expected = [...subfolders('src').map((name) => `src/${name}`), ...tracked].sort();
    expect(foldersInLayoutTable().sort()).toEqual(expected);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envExample, readmeWithSettingsTable } from '../../scripts/settings-docs-source';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const STALE = 'is out of date with src/lib/settings.ts: run `npm run settings:docs`';

describe('the settings documentation', () => {
  it('.env.example is written from the declarations', () => {
    expect(read('.env.example'), `.env.example ${STALE}`).toBe(envExample());
  });

  it("README.md's settings table is written from the declarations", () => {
    const readme = read('README.md');
    expect(readme, `README.md's settings table ${STALE}`).toBe(readmeWithSettingsTable(readme));
  });
});

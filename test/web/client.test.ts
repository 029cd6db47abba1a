import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { webClientSource } from '../../scripts/web-client-source';

describe("the web cabinet's typed API client", () => {
  it('is generated from the OpenAPI document the API serves now (run `npm run web:client` after changing the API)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../web/src/api/schema.d.ts'), 'utf8');
    expect(committed === (await webClientSource()), 'web/src/api/schema.d.ts is stale: run `npm run web:client`').toBe(
      true,
    );
  });
});

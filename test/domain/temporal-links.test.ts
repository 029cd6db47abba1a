import { describe, expect, it } from 'vitest';
import { storeWorkflowsLink } from '../../src/domain/temporal-links';

describe('Temporal UI links', () => {
  it("lists a store's workflows by its StoreId search attribute", () => {
    const link = storeWorkflowsLink(
      { url: 'http://localhost:8233', namespace: 'default' },
      '0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10',
    );
    expect(link).toBe(
      'http://localhost:8233/namespaces/default/workflows?query=StoreId%3D%220b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10%22',
    );
    expect(new URL(link).searchParams.get('query')).toBe('StoreId="0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10"');
  });

  it('escapes a namespace that is not a plain word', () => {
    expect(storeWorkflowsLink({ url: 'https://t.example', namespace: 'prod/kz' }, 'x')).toMatch(
      /^https:\/\/t\.example\/namespaces\/prod%2Fkz\/workflows\?/,
    );
  });
});

/**
 * Links into the Temporal UI. Every store's workflows carry the `StoreId` search attribute, so the UI's
 * workflow list filtered by it shows all that a store runs: its demper, syncs, polls and logins.
 */

/** The Temporal UI's list of a store's workflows, newest first. */
export function storeWorkflowsLink(ui: { url: string; namespace: string }, storeId: string): string {
  const query = encodeURIComponent(`StoreId="${storeId}"`);
  return `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows?query=${query}`;
}

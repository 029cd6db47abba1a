import type { Config } from '../lib/config';

/**
 * Links in messages point at the API resource or Temporal UI page to look at. Alerts may store them
 * relative to the API (`/api/v1/stores/…`), since whoever records an alert may not know the API's
 * public address; they are made absolute when sent.
 */
export function absoluteLink(config: Pick<Config, 'api'>, link: string): string {
  return link.startsWith('/') ? `${config.api.publicUrl}${link}` : link;
}

/** The Temporal UI page of a workflow (its latest run). */
export function workflowLink(config: Pick<Config, 'temporal'>, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Where an alert without its own link sends the reader, by kind. */
export function defaultAlertLink(config: Pick<Config, 'api' | 'temporal'>, kind: string): string {
  if (kind.startsWith('proxy_')) return `${config.api.publicUrl}/health/proxies`;
  if (kind.startsWith('plan_') || kind.startsWith('subscription_') || kind.startsWith('payment_')) {
    return `${config.api.publicUrl}/api/v1/billing/subscription`;
  }
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows`;
}

import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PasswordLoginInput, PasswordLoginResult } from './messages';

const { connectWithPassword } = proxyActivities<Activities>({
  // Every page step has its own deadline (KASPI_TIMEOUT_MS); this bounds the whole login and connect.
  startToCloseTimeout: '3 minutes',
  // A second login right after a failed one is what Kaspi flags; the merchant retries instead.
  retry: { maximumAttempts: 1 },
});

/**
 * One email-and-password login (`password-login:<loginId>`). The credentials wait sealed on the login's
 * row, so this workflow's history holds only the login id and the outcome.
 */
export async function passwordLoginWorkflow(input: PasswordLoginInput): Promise<PasswordLoginResult> {
  return connectWithPassword(input);
}

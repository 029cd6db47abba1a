import { Button, Card, Code, CopyButton, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components, paths } from '../../api/schema';
import { Dialog } from '../../components/Dialog';
import { Money } from '../../components/Money';
import { formatCount } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { paymentsQuery, type Plan, type Subscription } from './queries';

type Payment = components['schemas']['Payment'];
type PaidPlan = paths['/api/v1/billing/subscribe']['post']['requestBody']['content']['application/json']['plan'];

const IN_FORCE = new Set<Subscription['state']>(['activating', 'active', 'ending']);

/** What a plan's button does for this merchant: subscribe, renew, or nothing while another plan runs. */
function planAction(plan: Plan, subscription: Subscription): 'current' | 'subscribe' | 'renew' | 'locked' | 'none' {
  const inForce = IN_FORCE.has(subscription.state);
  if (plan.monthlyPriceTenge === 0) return inForce ? 'none' : 'current';
  if (!inForce) return 'subscribe';
  return plan.name === subscription.plan ? 'renew' : 'locked';
}

export function PlanCards({ plans, subscription }: { plans: Plan[]; subscription: Subscription }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [payment, setPayment] = useState<Payment | null>(null);
  const subscribe = useMutation({
    mutationFn: async (plan: PaidPlan) => data(await api.POST('/api/v1/billing/subscribe', { body: { plan } })),
    onSuccess: (created) => {
      setPayment(created);
      void client.invalidateQueries({ queryKey: paymentsQuery.queryKey });
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: plans.length }} spacing="md">
        {plans.map((plan) => {
          const action = planAction(plan, subscription);
          return (
            <Card
              key={plan.name}
              withBorder
              padding="lg"
              className={plan.name === subscription.plan ? 'plan-card plan-card-current' : 'plan-card'}
            >
              <Stack gap="sm" h="100%">
                <Title order={2} size="h4">
                  {t(`billing.plans.${plan.name}`, { defaultValue: plan.title })}
                </Title>
                <Text size="xl" fw={700}>
                  <Money value={plan.monthlyPriceTenge} />
                  {plan.monthlyPriceTenge > 0 && (
                    <Text span size="sm" c="dimmed" fw={400}>
                      {' '}
                      {t('billing.perMonth')}
                    </Text>
                  )}
                </Text>
                <List size="sm" spacing={4}>
                  <List.Item>
                    {t('billing.activeProducts', {
                      count: plan.maxActiveProducts,
                      value: formatCount(plan.maxActiveProducts),
                    })}
                  </List.Item>
                  <List.Item>
                    {plan.proxies > 0 ? t('billing.proxies', { count: plan.proxies }) : t('billing.noProxies')}
                  </List.Item>
                </List>
                <div style={{ marginTop: 'auto' }}>
                  {action === 'subscribe' || action === 'renew' ? (
                    <Button
                      fullWidth
                      loading={subscribe.isPending && subscribe.variables === plan.name}
                      // Only paid plans are offered to subscribe to or renew.
                      onClick={() => subscribe.mutate(plan.name as PaidPlan)}
                      aria-label={t(action === 'renew' ? 'billing.renewNamed' : 'billing.subscribeNamed', {
                        plan: t(`billing.plans.${plan.name}`),
                      })}
                    >
                      {t(action === 'renew' ? 'billing.renew' : 'billing.subscribe')}
                    </Button>
                  ) : action === 'current' ? (
                    <Text size="sm" c="dimmed" ta="center">
                      {t('billing.yourPlan')}
                    </Text>
                  ) : action === 'locked' ? (
                    <Text size="sm" c="dimmed" ta="center">
                      {t('billing.afterCurrent')}
                    </Text>
                  ) : null}
                </div>
              </Stack>
            </Card>
          );
        })}
      </SimpleGrid>
      <Dialog opened={payment !== null} onClose={() => setPayment(null)} title={t('billing.paymentTitle')}>
        {payment && (
          <Stack>
            <Text size="sm">
              {t('billing.paymentText', { plan: t(`billing.plans.${payment.plan}`) })}{' '}
              <Money value={payment.amountTenge} />.
            </Text>
            <Text size="sm">{t('billing.paymentHow')}</Text>
            <Group gap="xs" wrap="nowrap">
              <Code className="secret-key" data-testid="payment-id">
                {payment.id}
              </Code>
              <CopyButton value={payment.id}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="default" onClick={copy}>
                    {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Group justify="flex-end">
              <Button onClick={() => setPayment(null)}>{t('apiKeys.done')}</Button>
            </Group>
          </Stack>
        )}
      </Dialog>
    </>
  );
}

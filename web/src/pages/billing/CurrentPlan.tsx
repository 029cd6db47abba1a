import { Badge, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatCount, formatDate } from '../../lib/format';
import type { Plan, Subscription } from './queries';

const STATE_COLORS: Record<Subscription['state'], string> = {
  none: 'gray',
  activating: 'blue',
  active: 'green',
  ending: 'orange',
  ended: 'gray',
};

/** The plan in force: its state, until when, and the proxies it holds against what it pays for. */
export function CurrentPlan({ subscription, plans }: { subscription: Subscription; plans: Plan[] }) {
  const { t, i18n } = useTranslation();
  const plan = plans.find((p) => p.name === subscription.plan);
  return (
    <Card withBorder padding="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Text size="sm" c="dimmed">
            {t('billing.currentPlan')}
          </Text>
          <Group gap="sm">
            <Text fw={700} size="xl">
              {t(`billing.plans.${subscription.plan}`, { defaultValue: plan?.title ?? subscription.plan })}
            </Text>
            <Badge color={STATE_COLORS[subscription.state]} variant="dot" radius="sm" className="state-badge">
              {t(`billing.state.${subscription.state}`)}
            </Badge>
          </Group>
          <Text size="sm">
            {subscription.periodEnd
              ? t(
                  subscription.cancelRequested || subscription.state === 'ending'
                    ? 'billing.endsOn'
                    : 'billing.paidUntil',
                  {
                    date: formatDate(subscription.periodEnd, i18n.language),
                  },
                )
              : t('billing.freeNote', {
                  count: plan?.maxActiveProducts ?? 0,
                  value: formatCount(plan?.maxActiveProducts ?? 0),
                })}
          </Text>
        </Stack>
        {subscription.proxies && (
          <SimpleGrid cols={3} spacing="lg" aria-label={t('billing.proxiesLabel')}>
            {(Object.entries(subscription.proxies) as [string, { wanted: number; held: number }][]).map(
              ([module, count]) => (
                <div key={module}>
                  <Text size="xs" c="dimmed">
                    {t(`billing.modules.${module}`)}
                  </Text>
                  <Text fw={600} className="num">
                    {t('billing.heldOfWanted', { held: count.held, wanted: count.wanted })}
                  </Text>
                </div>
              ),
            )}
          </SimpleGrid>
        )}
      </Group>
    </Card>
  );
}

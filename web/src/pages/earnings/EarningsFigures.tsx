import { Card, Group, SimpleGrid, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../../api/schema';
import { formatCount, formatPercent, formatTenge } from '../../lib/format';

type Earnings = components['schemas']['Earnings'];

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl" className="num">
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {note ?? ' '}
      </Text>
    </Card>
  );
}

/** The period at a glance: time first, at the floor, changes, sales while first and not, margin given up. */
export function EarningsFigures({ figures }: { figures: Earnings }) {
  const { t } = useTranslation();
  const reasons = Object.entries(figures.changesByReason).sort((a, b) => b[1] - a[1]);
  return (
    <>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
        <Figure
          label={t('earnings.firstShare')}
          value={formatPercent(figures.firstShare)}
          note={t('earnings.whereAllowed', { share: formatPercent(figures.firstShareWhereAllowed) })}
        />
        <Figure label={t('earnings.floorShare')} value={formatPercent(figures.floorShare)} />
        <Figure
          label={t('earnings.revenueFirst')}
          value={formatTenge(figures.whileFirst.revenue)}
          note={t('earnings.ordersCount', { count: figures.whileFirst.orders })}
        />
        <Figure
          label={t('earnings.revenueNotFirst')}
          value={formatTenge(figures.notFirst.revenue)}
          note={t('earnings.ordersCount', { count: figures.notFirst.orders })}
        />
        <Figure label={t('earnings.changes')} value={formatCount(figures.changes)} />
        <Figure
          label={t('earnings.marginGivenUp')}
          value={formatTenge(figures.marginGivenUp)}
          note={t('earnings.marginGivenUpNote')}
        />
        <Figure
          label={t('earnings.unwatched')}
          value={formatTenge(figures.unwatched.revenue)}
          note={t('earnings.ordersCount', { count: figures.unwatched.orders })}
        />
      </SimpleGrid>
      {reasons.length > 0 && (
        <Group gap="xs" wrap="wrap" aria-label={t('earnings.whyLabel')} role="list">
          <Text size="sm" c="dimmed">
            {t('earnings.why')}
          </Text>
          {reasons.map(([reason, count]) => (
            <Text key={reason} size="sm" role="listitem">
              {reason === 'preorder' ? t('earnings.preorderChanges') : t(`reason.${reason}.plain`)}: {count}
            </Text>
          ))}
        </Group>
      )}
    </>
  );
}

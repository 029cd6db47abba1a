import { Anchor, Badge, Card, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Money } from '../components/Money';
import { PageHeader } from '../components/PageHeader';
import { RelativeTime } from '../components/RelativeTime';
import { useLiveEvents, type LiveStatus } from '../lib/live-events';
import { useStores } from '../lib/stores';
import { Link, useParams } from 'react-router';
import { reasonText, StatusBadge } from './product/Decisions';

const STATUS_COLOR: Record<LiveStatus, string> = { live: 'green', connecting: 'yellow', offline: 'red' };

/** The store's decisions as they happen, pushed by the server. */
export default function Activity() {
  const { t } = useTranslation();
  const { storeId } = useParams();
  const stores = useStores();
  const store = stores.data?.find((s) => s.id === storeId);
  const { status, decisions } = useLiveEvents();
  return (
    <Stack gap="md">
      <PageHeader title={t('activity.title')} subtitle={store?.name}>
        <Badge color={STATUS_COLOR[status]} variant="dot" size="lg" role="status" aria-live="polite">
          {t(`activity.status.${status}`)}
        </Badge>
      </PageHeader>
      {decisions.length === 0 ? (
        <Text c="dimmed" ta="center" py="xl">
          {t('activity.empty')}
        </Text>
      ) : (
        <Stack
          gap="xs"
          component="ol"
          className="plain-list"
          aria-label={t('activity.title')}
          data-testid="activity-feed"
        >
          {decisions.map((d) => (
            <Card key={d.id} withBorder padding="sm" component="li" data-decision-id={d.id} data-status={d.status}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div className="feed-main">
                  <Anchor component={Link} to={`/products/${d.productId}`} size="sm" fw={500}>
                    {d.productName}
                  </Anchor>
                  <Text size="sm" className="num">
                    <Money value={d.oldPrice} /> → <Money value={d.newPrice} />
                  </Text>
                  <Text size="xs" c="dimmed">
                    {reasonText(d, t)}
                  </Text>
                </div>
                <Stack gap={4} align="flex-end" className="feed-aside">
                  <StatusBadge status={d.status} />
                  <Text size="xs" c="dimmed">
                    <RelativeTime at={d.createdAt} />
                  </Text>
                </Stack>
              </Group>
            </Card>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

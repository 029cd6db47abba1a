import { Badge, Card, Group, Pagination, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { ScrollTable } from '../../components/ScrollTable';
import { ErrorState } from '../../components/ErrorState';
import { Money } from '../../components/Money';
import { PageLoader } from '../../components/PageLoader';
import { RelativeTime } from '../../components/RelativeTime';
import { formatTenge } from '../../lib/format';
import type { PriceChange } from '../../lib/products';

const PAGE = 20;

export const STATUS_COLORS: Record<PriceChange['status'], string> = {
  pending: 'blue',
  sent: 'green',
  proposed: 'violet',
  superseded: 'gray',
  deferred: 'yellow',
  failed: 'red',
  applied: 'teal',
};

export function StatusBadge({ status }: { status: PriceChange['status'] }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="dot" radius="sm" className="state-badge">
      {t(`decision.status.${status}`)}
    </Badge>
  );
}

/** Every price decision of the product with its reason in plain words and what became of it. */
export function Decisions({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const narrow = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false });
  const list = useQuery({
    queryKey: ['price-changes', productId, 'list', page],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/products/{id}/price-changes', {
          params: { path: { id: productId }, query: { page, limit: PAGE } },
        }),
      ),
  });
  if (list.isPending) return <PageLoader />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('decision.none')}
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {narrow ? (
        <Stack gap="xs" component="ol" className="plain-list" aria-label={t('product.decisions')}>
          {list.data.items.map((c) => (
            <Card key={c.id} withBorder padding="xs" component="li">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Text size="sm" className="num">
                  <Money value={c.oldPrice} /> → <Money value={c.newPrice} />
                </Text>
                <StatusBadge status={c.status} />
              </Group>
              <Text size="xs">{reasonText(c, t)}</Text>
              {c.error && (
                <Text size="xs" c="red.9">
                  {c.error}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                <RelativeTime at={c.createdAt} />
              </Text>
            </Card>
          ))}
        </Stack>
      ) : (
        <ScrollTable minWidth={560} label={t('product.decisions')}>
          <Table verticalSpacing={6} aria-label={t('product.decisions')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('decision.when')}</Table.Th>
                <Table.Th>{t('decision.change')}</Table.Th>
                <Table.Th>{t('decision.why')}</Table.Th>
                <Table.Th>{t('decision.statusLabel')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <RelativeTime at={c.createdAt} />
                  </Table.Td>
                  <Table.Td className="num">
                    <Money value={c.oldPrice} /> → <Money value={c.newPrice} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{reasonText(c, t)}</Text>
                    {c.error && (
                      <Text size="xs" c="red.9">
                        {c.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {list.data.total > PAGE && (
        <Pagination size="sm" total={Math.ceil(list.data.total / PAGE)} value={page} onChange={setPage} />
      )}
    </Stack>
  );
}

/** "Подрезали «Rival A» (9 990 ₸) на 1 ₸" — the reason with the rival and city that drove it. */
export function reasonText(
  c: Pick<PriceChange, 'reason' | 'source' | 'rival' | 'cityName'>,
  t: (key: string, o?: Record<string, unknown>) => string,
): string {
  const rival = c.rival
    ? { rival: c.rival.merchantName ?? c.rival.merchantId, price: formatTenge(c.rival.price) }
    : null;
  const base = rival
    ? t(`reason.${c.reason}.withRival`, { ...rival, defaultValue: t(`reason.${c.reason}.plain`) })
    : t(`reason.${c.reason}.plain`);
  const city = c.cityName ? ` · ${c.cityName}` : '';
  return c.source === 'manual' && c.reason !== 'manual'
    ? `${t('reason.appliedByYou')}: ${base}${city}`
    : `${base}${city}`;
}

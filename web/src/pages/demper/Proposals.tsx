import { Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, data } from '../../api/client';
import { ScrollTable } from '../../components/ScrollTable';
import { ErrorState } from '../../components/ErrorState';
import { Money } from '../../components/Money';
import { PageLoader } from '../../components/PageLoader';
import { RelativeTime } from '../../components/RelativeTime';
import { describeError } from '../../lib/forms';
import { reasonText } from '../product/Decisions';

/** In a dry run the demper proposes; the merchant applies one proposal or all of them. */
export function Proposals({ storeId }: { storeId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const proposals = useQuery({
    queryKey: ['proposals', storeId],
    refetchInterval: 10_000,
    queryFn: async () =>
      data(
        await api.GET('/api/v1/stores/{id}/proposals', { params: { path: { id: storeId }, query: { limit: 200 } } }),
      ),
  });
  const apply = useMutation({
    mutationFn: async (changeIds: string[] | undefined) =>
      data(
        await api.POST('/api/v1/stores/{id}/proposals/apply', {
          params: { path: { id: storeId } },
          body: changeIds ? { changeIds } : {},
        }),
      ),
    onSuccess: (result) => {
      notifications.show({
        color: result.skipped.length ? 'yellow' : 'green',
        message:
          t('proposals.applied', { count: result.applied.length }) +
          (result.skipped.length ? ` ${t('proposals.skipped', { count: result.skipped.length })}` : ''),
      });
      void client.invalidateQueries({ queryKey: ['proposals', storeId] });
      void client.invalidateQueries({ queryKey: ['price-changes'] });
    },
    onError: (error) =>
      notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) }),
  });

  if (proposals.isPending) return <PageLoader />;
  if (proposals.error) return <ErrorState error={proposals.error} onRetry={() => void proposals.refetch()} />;
  const items = proposals.data.items;
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('proposals.none')}
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm">{t('proposals.count', { count: proposals.data.total })}</Text>
        <Button size="xs" onClick={() => apply.mutate(undefined)} loading={apply.isPending}>
          {t('proposals.applyAll')}
        </Button>
      </Group>
      <ScrollTable minWidth={640} label={t('proposals.title')}>
        <Table verticalSpacing={6} aria-label={t('proposals.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('products.col.product')}</Table.Th>
              <Table.Th>{t('decision.change')}</Table.Th>
              <Table.Th>{t('decision.why')}</Table.Th>
              <Table.Th>{t('decision.when')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/products/${p.productId}`} size="sm">
                    {p.productName}
                  </Anchor>
                </Table.Td>
                <Table.Td className="num">
                  <Money value={p.oldPrice} /> → <Money value={p.newPrice} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{reasonText(p, t)}</Text>
                </Table.Td>
                <Table.Td>
                  <RelativeTime at={p.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    onClick={() => apply.mutate([p.id])}
                    disabled={apply.isPending}
                    aria-label={t('proposals.applyOne', { name: p.productName })}
                  >
                    {t('proposals.apply')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Stack>
  );
}

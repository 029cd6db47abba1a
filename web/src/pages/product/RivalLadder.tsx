import { ActionIcon, Badge, Group, Table, Tabs, Text, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { ScrollTable } from '../../components/ScrollTable';
import { ErrorState } from '../../components/ErrorState';
import { Money } from '../../components/Money';
import { PageLoader } from '../../components/PageLoader';
import type { Product } from '../../lib/products';

/** The card's offers in each city the product competes in, read live from Kaspi on request. */
export function RivalLadder({ product }: { product: Product }) {
  const { t } = useTranslation();
  const cities = product.competingCities;
  const [city, setCity] = useState<string | null>(cities[0]?.id ?? null);
  if (!city) {
    return (
      <Text size="sm" c="dimmed">
        {t('rivals.noCities')}
      </Text>
    );
  }
  return (
    <Tabs value={city} onChange={setCity} keepMounted={false}>
      <Tabs.List>
        {cities.map((c) => (
          <Tabs.Tab key={c.id} value={c.id}>
            {c.name}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {cities.map((c) => (
        <Tabs.Panel key={c.id} value={c.id} pt="sm">
          <CityOffers productId={product.id} cityId={c.id} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}

function CityOffers({ productId, cityId }: { productId: string; cityId: string }) {
  const { t } = useTranslation();
  const offers = useQuery({
    queryKey: ['offers', productId, cityId],
    staleTime: 30_000,
    queryFn: async () =>
      data(await api.GET('/api/v1/products/{id}/offers', { params: { path: { id: productId }, query: { cityId } } })),
  });
  if (offers.isPending) return <PageLoader />;
  if (offers.error)
    return <ErrorState error={offers.error} onRetry={() => void offers.refetch()} title={t('rivals.failed')} />;
  const o = offers.data;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="dimmed">
          {o.ourPosition ? t('rivals.ourPlace', { position: o.ourPosition, total: o.total }) : t('rivals.notOnCard')}
        </Text>
        <Tooltip label={t('rivals.refresh')}>
          <ActionIcon
            variant="subtle"
            onClick={() => void offers.refetch()}
            loading={offers.isFetching}
            aria-label={t('rivals.refresh')}
          >
            <IconRefresh size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Group>
      <ScrollTable minWidth={280} label={t('product.rivals')}>
        <Table verticalSpacing={6} aria-label={t('product.rivals')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>#</Table.Th>
              <Table.Th>{t('rivals.merchant')}</Table.Th>
              <Table.Th ta="right">{t('rivals.price')}</Table.Th>
              <Table.Th visibleFrom="sm">{t('rivals.delivery')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {o.offers.map((offer) => (
              <Table.Tr key={offer.merchantId} className={offer.ours ? 'ours-row' : undefined}>
                <Table.Td>{offer.position}</Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm">{offer.merchantName}</Text>
                    {offer.ours && (
                      <Badge size="xs" variant="filled">
                        {t('rivals.you')}
                      </Badge>
                    )}
                  </Group>
                  {offer.merchantRating !== null && (
                    <Text size="xs" c="dimmed">
                      {t('rivals.rating', { rating: offer.merchantRating })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  <Money value={offer.price} />
                </Table.Td>
                <Table.Td visibleFrom="sm">
                  <Text size="sm">
                    {offer.deliveryDuration
                      ? t(`delivery.${offer.deliveryDuration}`, { defaultValue: offer.deliveryDuration })
                      : '—'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </>
  );
}

import { Anchor, Badge, Breadcrumbs, Card, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { Money } from '../components/Money';
import { PageLoader } from '../components/PageLoader';
import { RelativeTime } from '../components/RelativeTime';
import { Section } from '../components/Section';
import { StateBadge } from '../components/StateBadge';
import { rememberStore } from '../lib/stores';
import { productKey } from '../lib/products';
import { Decisions } from './product/Decisions';
import { Economics } from './product/Economics';
import { ManualPrice } from './product/ManualPrice';
import { RivalLadder } from './product/RivalLadder';
import { SettingsForm } from './product/SettingsForm';

const PriceChart = lazy(() => import('./product/PriceChart'));

export default function Product() {
  const { t } = useTranslation();
  const { productId = '' } = useParams();
  const product = useQuery({
    queryKey: productKey(productId),
    queryFn: async () => {
      const p = data(await api.GET('/api/v1/products/{id}', { params: { path: { id: productId } } }));
      rememberStore(p.storeId);
      return p;
    },
  });
  if (product.isPending) return <PageLoader />;
  if (product.error) return <ErrorState error={product.error} onRetry={() => void product.refetch()} />;
  const p = product.data;

  return (
    <Stack gap="lg">
      <Breadcrumbs>
        <Anchor component={Link} to={`/stores/${p.storeId}/products`} size="sm">
          {t('products.title')}
        </Anchor>
        <Text size="sm" lineClamp={1}>
          {p.name}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {p.name}
          </Title>
          <Group gap="xs" mt={4}>
            <Text size="sm" c="dimmed">
              {t('product.sku', { sku: p.sku })}
            </Text>
            <Anchor href={p.kaspiUrl} target="_blank" rel="noreferrer noopener" size="sm">
              {t('product.openOnKaspi')}
            </Anchor>
          </Group>
        </div>
        <Group gap="md">
          <StateBadge state={p.state} />
          <div>
            <Text size="xs" c="dimmed">
              {t('products.col.price')}
            </Text>
            <Text fw={700} size="xl">
              <Money value={p.price} />
            </Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              {t('products.col.position')}
            </Text>
            <Text fw={700} size="xl">
              {p.position !== null
                ? t('products.positionOf', { position: p.position, total: p.offersCount ?? '?' })
                : '—'}
            </Text>
          </div>
        </Group>
      </Group>
      {p.lastReason && (
        <Card withBorder padding="sm" bg="var(--mantine-color-gray-0)">
          <Group gap="xs">
            <Badge variant="light" color="gray">
              {t('product.why')}
            </Badge>
            <Text size="sm">{t(`why.${p.lastReason}`, { floor: p.minPrice ?? '—' })}</Text>
            <Text size="xs" c="dimmed">
              {t('product.checked')} <RelativeTime at={p.lastCheckAt} fallback={t('products.neverChecked')} />
            </Text>
          </Group>
        </Card>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Section title={t('product.history')}>
              <Suspense fallback={<PageLoader />}>
                <PriceChart product={p} />
              </Suspense>
            </Section>
            <Section title={t('economics.profitTitle')} className="unit-economics-card">
              <Economics product={p} />
            </Section>
            <Section title={t('product.rivals')}>
              <RivalLadder product={p} />
            </Section>
            <Section title={t('product.decisions')}>
              <Decisions productId={p.id} />
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <Section title={t('product.settings')}>
              <SettingsForm product={p} />
            </Section>
            <Section title={t('product.manual')}>
              <ManualPrice product={p} />
            </Section>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

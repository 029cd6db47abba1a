import { Anchor, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { components } from '../../api/schema';
import { Section } from '../../components/Section';
import { formatPercent, formatTenge } from '../../lib/format';

type Earnings = components['schemas']['Earnings'];

/** Products the floor keeps from first place, and rivals who keep winning: each with what to do about it. */
export function NeedsAttention({ figures }: { figures: Earnings }) {
  const { t } = useTranslation();
  return (
    <>
      <Section title={t('earnings.stuckTitle')}>
        {figures.stuckAtFloor.length === 0 ? (
          <Text size="sm">{t('earnings.stuckNone')}</Text>
        ) : (
          <Stack gap="sm" component="ul" className="plain-list">
            {figures.stuckAtFloor.map((p) => (
              <li key={p.productId}>
                <Anchor component={Link} to={`/products/${p.productId}`} fw={600}>
                  {p.name}
                </Anchor>
                <Text size="sm">
                  {t('earnings.stuckShare', { share: formatPercent(p.floorShare) })}
                  {p.cheapestRival?.price != null && p.floor != null
                    ? ' ' +
                      t('earnings.stuckAction', {
                        rival: p.cheapestRival.name ?? p.cheapestRival.merchantId,
                        price: formatTenge(p.cheapestRival.price),
                        floor: formatTenge(p.floor),
                      })
                    : ''}
                </Text>
              </li>
            ))}
          </Stack>
        )}
      </Section>
      <Section title={t('earnings.losingTitle')}>
        {figures.losingTo.length === 0 ? (
          <Text size="sm">{t('earnings.losingNone')}</Text>
        ) : (
          <Stack gap="sm" component="ul" className="plain-list">
            {figures.losingTo.map((rival) => (
              <li key={rival.merchantId}>
                <Text fw={600}>
                  {t('earnings.losingRival', { rival: rival.name ?? rival.merchantId, count: rival.products.length })}
                </Text>
                <Text size="sm">
                  {rival.products.map((p, i) => (
                    <span key={p.productId}>
                      {i > 0 && ', '}
                      <Anchor component={Link} to={`/products/${p.productId}`} size="sm">
                        {p.name}
                      </Anchor>
                    </span>
                  ))}
                </Text>
                <Text size="sm" c="dimmed">
                  {t('earnings.losingAction')}
                </Text>
              </li>
            ))}
          </Stack>
        )}
      </Section>
    </>
  );
}

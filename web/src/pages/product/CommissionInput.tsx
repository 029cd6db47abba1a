import { Button, Group, NumberInput, Stack, Text } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_KASPI_COMMISSION_PERCENT, KASPI_COMMISSION_RATES } from '../../lib/commission';
import { decimalMark, formatPercentNumber } from '../../lib/format';

type Num = number | string;

interface Props {
  value: Num;
  onChange(value: Num): void;
  error?: ReactNode;
  onFocus?(): void;
  onBlur?(): void;
}

/**
 * Kaspi's commission for the product: any rate typed, or one of the 2026 tariff's three picked; empty
 * means Kaspi's default rate.
 */
export function CommissionInput({ value, onChange, error, onFocus, onBlur }: Props) {
  const { t, i18n } = useTranslation();
  const picksId = useId();
  const pct = (n: number) => formatPercentNumber(n, i18n.language);
  return (
    <Stack gap={6}>
      <NumberInput
        label={t('economics.commissionPercent')}
        description={t('economics.commissionHint', { percent: pct(DEFAULT_KASPI_COMMISSION_PERCENT) })}
        placeholder={pct(DEFAULT_KASPI_COMMISSION_PERCENT)}
        min={0}
        max={100}
        decimalScale={2}
        decimalSeparator={decimalMark(i18n.language)}
        suffix=" %"
        value={value}
        onChange={onChange}
        onFocus={onFocus}
        onBlur={onBlur}
        error={error}
      />
      <Text id={picksId} size="xs" c="dimmed">
        {t('economics.ratesLabel')}
      </Text>
      <Group gap={6} role="group" aria-labelledby={picksId}>
        {KASPI_COMMISSION_RATES.map((rate) => {
          const chosen =
            value === '' ? rate.percent === DEFAULT_KASPI_COMMISSION_PERCENT : Number(value) === rate.percent;
          return (
            <Button
              key={rate.percent}
              size="compact-xs"
              variant={chosen ? 'filled' : 'default'}
              aria-pressed={chosen}
              title={t('economics.withVat', { percent: pct(rate.withVatPercent) })}
              onClick={() => onChange(rate.percent)}
            >
              {t(`economics.rate.${rate.applies}`, { percent: pct(rate.percent) })}
            </Button>
          );
        })}
      </Group>
    </Stack>
  );
}

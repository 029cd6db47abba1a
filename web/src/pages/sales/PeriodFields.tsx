import { SegmentedControl, Select, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { almatyDay, daysOf, PRESETS, type SalesState } from './range';

/** The period of the sales and earnings screens: a preset of recent days, or Almaty days chosen by hand. */
export function PeriodFields({
  state,
  now,
  onChange,
}: {
  state: SalesState;
  now: number;
  onChange: (next: Partial<SalesState>) => void;
}) {
  const { t } = useTranslation();
  // Five periods do not fit beside each other on a phone: there they are a list to pick from.
  const narrow = useMediaQuery('(max-width: 36em)', undefined, { getInitialValueInEffect: false });
  const choices = [
    ...PRESETS.map((p) => ({ value: p, label: t(`sales.preset.${p}`) })),
    { value: 'custom', label: t('sales.preset.custom') },
  ];
  const choose = (value: string) =>
    onChange(
      value === 'custom' ? { preset: 'custom', ...daysOf(state, now) } : { preset: value as SalesState['preset'] },
    );
  return (
    <>
      {narrow ? (
        <Select
          label={t('sales.periodLabel')}
          value={state.preset}
          onChange={(value) => value && choose(value)}
          data={choices}
          allowDeselect={false}
          w={160}
        />
      ) : (
        <SegmentedControl aria-label={t('sales.periodLabel')} value={state.preset} onChange={choose} data={choices} />
      )}
      {state.preset === 'custom' && (
        <>
          <TextInput
            type="date"
            label={t('orders.from')}
            value={state.from}
            max={state.to}
            onChange={(e) => e.currentTarget.value && onChange({ from: e.currentTarget.value })}
          />
          <TextInput
            type="date"
            label={t('orders.to')}
            value={state.to}
            min={state.from}
            max={almatyDay(now)}
            onChange={(e) => e.currentTarget.value && onChange({ to: e.currentTarget.value })}
          />
        </>
      )}
    </>
  );
}

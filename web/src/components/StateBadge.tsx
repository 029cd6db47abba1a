import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/schema';

export type ProductState = components['schemas']['Product']['state'];

const COLORS: Record<ProductState, string> = {
  first: 'green',
  not_first: 'orange',
  at_floor: 'red',
  price_war: 'grape',
  no_floor: 'yellow',
  preorder: 'blue',
  paused: 'gray',
  error: 'red',
  unchecked: 'gray',
  off: 'gray',
};

export function StateBadge({ state }: { state: ProductState }) {
  const { t } = useTranslation();
  return (
    // A coloured dot beside dark text: the colour tells the state at a glance, the text stays readable.
    <Badge color={COLORS[state]} variant="dot" radius="sm" className="state-badge">
      {t(`state.${state}`)}
    </Badge>
  );
}

import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { STATUS_COLORS, type OrderStatus } from './filters';

export function OrderStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status as OrderStatus] ?? 'gray'} variant="dot" radius="sm" className="state-badge">
      {t(`orders.status.${status}`, { defaultValue: status })}
    </Badge>
  );
}

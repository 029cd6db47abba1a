import { Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../components/ErrorState';
import { Money } from '../../components/Money';
import { ScrollTable } from '../../components/ScrollTable';
import { formatExactTime } from '../../lib/format';
import { paymentsQuery } from './queries';

const STATUS_COLORS = { pending: 'blue', paid: 'green', failed: 'red' } as const;

export function PaymentHistory() {
  const { t, i18n } = useTranslation();
  const payments = useQuery({ ...paymentsQuery, refetchInterval: 15_000 });
  if (payments.error) return <ErrorState error={payments.error} onRetry={() => void payments.refetch()} />;
  if (!payments.data) return null;
  if (payments.data.items.length === 0) return <Text size="sm">{t('billing.noPayments')}</Text>;
  return (
    <ScrollTable minWidth={320} label={t('billing.historyTitle')}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('billing.when')}</Table.Th>
            <Table.Th>{t('billing.plan')}</Table.Th>
            <Table.Th ta="right">{t('billing.amount')}</Table.Th>
            <Table.Th>{t('billing.status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {payments.data.items.map((payment) => (
            <Table.Tr key={payment.id}>
              <Table.Td>{formatExactTime(payment.createdAt, i18n.language)}</Table.Td>
              <Table.Td>{t(`billing.plans.${payment.plan}`, { defaultValue: payment.plan })}</Table.Td>
              <Table.Td ta="right">
                <Money value={payment.amountTenge} />
              </Table.Td>
              <Table.Td>
                <Badge color={STATUS_COLORS[payment.status]} variant="dot" radius="sm" className="state-badge">
                  {t(`billing.paymentStatus.${payment.status}`)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

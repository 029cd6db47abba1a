import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../api/client';
import { ErrorState } from '../components/ErrorState';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { Section } from '../components/Section';
import { CurrentPlan } from './billing/CurrentPlan';
import { PaymentHistory } from './billing/PaymentHistory';
import { PlanCards } from './billing/PlanCards';
import { subscriptionQuery } from './billing/queries';

/** The plan the merchant is on, the plans side by side with "subscribe", and the payments made. */
export default function Billing() {
  const { t } = useTranslation();
  const plans = useQuery({
    queryKey: ['plans'],
    staleTime: 10 * 60_000,
    queryFn: async () => data(await api.GET('/api/v1/billing/plans')),
  });
  const subscription = useQuery(subscriptionQuery);
  if (plans.isPending || subscription.isPending) return <PageLoader />;
  if (plans.error) return <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />;
  if (subscription.error) return <ErrorState error={subscription.error} onRetry={() => void subscription.refetch()} />;
  return (
    <Stack gap="lg">
      <PageHeader title={t('billing.title')} subtitle={t('billing.subtitle')} />
      <CurrentPlan subscription={subscription.data} plans={plans.data.items} />
      <PlanCards plans={plans.data.items} subscription={subscription.data} />
      <Section title={t('billing.historyTitle')}>
        <PaymentHistory />
      </Section>
    </Stack>
  );
}

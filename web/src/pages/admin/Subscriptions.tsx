import { Badge, Button, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PAID_PLAN_NAMES } from '../../../../src/domain/plans';
import { api, ApiError, data } from '../../api/client';
import type { paths } from '../../api/schema';
import { Dialog } from '../../components/Dialog';
import { ErrorState } from '../../components/ErrorState';
import { ListPager } from '../../components/ListPager';
import { PageHeader } from '../../components/PageHeader';
import { PageLoader } from '../../components/PageLoader';
import { ScrollTable } from '../../components/ScrollTable';
import { Section } from '../../components/Section';
import { formatDate } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { ADMIN_PAGE_SIZE, adminSubscriptionsQuery, type AdminSubscription } from './queries';

type GrantBody = paths['/api/v1/admin/subscriptions']['post']['requestBody']['content']['application/json'];

const STATUS_COLORS = { active: 'green', cancelled: 'gray', expired: 'orange' } as const;

/** The email the admin typed belongs to no account. */
class NoSuchAccount extends Error {}

/** Almaty is UTC+5 all year: a day picked here ends at its midnight there. */
const endOfAlmatyDay = (day: string) => new Date(`${day}T23:59:59+05:00`).toISOString();

/** Subscriptions: grant a plan without a payment, and the list with a cancel for each active one. */
export default function AdminSubscriptions() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const list = useQuery({
    ...adminSubscriptionsQuery(page),
    placeholderData: keepPreviousData,
    // A grant or cancel is carried out by the subscription workflow: the list catches up within seconds.
    refetchInterval: 5_000,
  });
  return (
    <Stack gap="lg">
      <PageHeader title={t('admin.tabs.subscriptions')} subtitle={t('admin.subscriptions.subtitle')} />
      <GrantForm />
      <Section title={t('admin.subscriptions.listTitle')}>
        {list.error ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : !list.data ? (
          <PageLoader />
        ) : list.data.items.length === 0 ? (
          <Text size="sm">{t('admin.subscriptions.empty')}</Text>
        ) : (
          <Stack gap="sm">
            <SubscriptionsTable items={list.data.items} />
            <ListPager total={list.data.total} pageSize={ADMIN_PAGE_SIZE} page={page} onChange={setPage} />
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

interface GrantValues {
  email: string;
  plan: string;
  periodEnd: string;
}

function GrantForm() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [params] = useSearchParams();
  const form = useForm<GrantValues>({
    initialValues: { email: params.get('email') ?? '', plan: '', periodEnd: '' },
    validate: { plan: (plan) => (plan ? null : t('admin.subscriptions.planRequired')) },
  });
  const grant = useMutation({
    mutationFn: async (values: GrantValues) => {
      const email = values.email.trim().toLowerCase();
      // The API grants by user id; the admin knows the email.
      const found = data(await api.GET('/api/v1/admin/users', { params: { query: { email, limit: 200 } } })).items.find(
        (u) => u.email === email,
      );
      if (!found) throw new NoSuchAccount();
      return {
        email,
        answer: data(
          await api.POST('/api/v1/admin/subscriptions', {
            body: {
              userId: found.id,
              action: 'grant',
              // The form offers only the paid plans the API takes.
              plan: values.plan as NonNullable<GrantBody['plan']>,
              ...(values.periodEnd ? { periodEnd: endOfAlmatyDay(values.periodEnd) } : {}),
            },
          }),
        ),
        plan: values.plan,
      };
    },
    onSuccess: ({ email, answer, plan }) => {
      notifications.show({
        color: 'green',
        message: t('admin.subscriptions.granted', {
          plan: t(`billing.plans.${plan}`, { defaultValue: plan }),
          email,
          date: answer.periodEnd ? formatDate(answer.periodEnd, i18n.language) : '—',
        }),
      });
      form.reset();
      void client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => {
      if (error instanceof NoSuchAccount) form.setFieldError('email', t('admin.subscriptions.noSuchUser'));
      else if (error instanceof ApiError && error.status === 409) form.setFieldError('plan', error.message);
      else showApiErrors(error, form, t);
    },
  });
  return (
    <Section title={t('admin.subscriptions.grantTitle')}>
      <form onSubmit={form.onSubmit((values) => grant.mutate(values))} noValidate>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('admin.subscriptions.email')}
            type="email"
            required
            autoComplete="off"
            {...form.getInputProps('email')}
          />
          <NativeSelect
            label={t('admin.subscriptions.plan')}
            data={[
              { value: '', label: t('admin.subscriptions.choosePlan') },
              ...PAID_PLAN_NAMES.map((name) => ({ value: name, label: t(`billing.plans.${name}`) })),
            ]}
            {...form.getInputProps('plan')}
          />
          <TextInput
            label={t('admin.subscriptions.periodEnd')}
            description={t('admin.subscriptions.periodEndHint')}
            type="date"
            {...form.getInputProps('periodEnd')}
          />
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button type="submit" loading={grant.isPending}>
            {t('admin.subscriptions.grant')}
          </Button>
        </Group>
      </form>
    </Section>
  );
}

function SubscriptionsTable({ items }: { items: AdminSubscription[] }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [cancelling, setCancelling] = useState<AdminSubscription | null>(null);
  const cancel = useMutation({
    mutationFn: async (subscription: AdminSubscription) =>
      data(await api.POST('/api/v1/admin/subscriptions', { body: { userId: subscription.userId, action: 'cancel' } })),
    onSuccess: (_answer, subscription) => {
      notifications.show({ message: t('admin.subscriptions.cancelling', { email: subscription.email }) });
      setCancelling(null);
      void client.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  return (
    <>
      <ScrollTable minWidth={620} label={t('admin.subscriptions.listTitle')}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.subscriptions.user')}</Table.Th>
              <Table.Th>{t('admin.subscriptions.plan')}</Table.Th>
              <Table.Th>{t('admin.subscriptions.status')}</Table.Th>
              <Table.Th>{t('admin.subscriptions.until')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.email}</Table.Td>
                <Table.Td>{t(`billing.plans.${s.plan}`, { defaultValue: s.plan })}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[s.status]} variant="dot" radius="sm" className="state-badge">
                    {t(`admin.subscriptions.statuses.${s.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td className="num">{formatDate(s.cancelledAt ?? s.periodEnd, i18n.language)}</Table.Td>
                <Table.Td ta="right">
                  {s.status === 'active' && (
                    <Button
                      size="compact-xs"
                      variant="default"
                      color="red"
                      onClick={() => setCancelling(s)}
                      aria-label={t('admin.subscriptions.cancelFor', { email: s.email })}
                    >
                      {t('admin.subscriptions.cancel')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      <Dialog
        opened={cancelling !== null}
        onClose={() => setCancelling(null)}
        title={t('admin.subscriptions.cancelTitle')}
      >
        {cancelling && (
          <Stack>
            <Text size="sm">{t('admin.subscriptions.cancelText', { email: cancelling.email })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setCancelling(null)}>
                {t('admin.subscriptions.keep')}
              </Button>
              <Button color="red" loading={cancel.isPending} onClick={() => cancel.mutate(cancelling)}>
                {t('admin.subscriptions.cancelConfirm')}
              </Button>
            </Group>
          </Stack>
        )}
      </Dialog>
    </>
  );
}

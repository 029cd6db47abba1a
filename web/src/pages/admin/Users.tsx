import { Anchor, Badge, Button, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconExternalLink, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorState } from '../../components/ErrorState';
import { ListPager } from '../../components/ListPager';
import { PageHeader } from '../../components/PageHeader';
import { PageLoader } from '../../components/PageLoader';
import { ScrollTable } from '../../components/ScrollTable';
import { formatCount, formatDate } from '../../lib/format';
import { ADMIN_PAGE_SIZE, adminUsersQuery, type AdminUser } from './queries';

/** Every account with its plan, stores and products under the demper; a store opens its workflows in Temporal. */
export default function AdminUsers() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [search] = useDebouncedValue(email.trim(), 300);
  const [page, setPage] = useState(1);
  const users = useQuery({ ...adminUsersQuery(search, page), placeholderData: keepPreviousData });
  return (
    <Stack gap="md">
      <PageHeader title={t('admin.tabs.users')} subtitle={t('admin.users.subtitle')} />
      <TextInput
        label={t('admin.users.search')}
        type="search"
        leftSection={<IconSearch size={16} aria-hidden />}
        value={email}
        onChange={(e) => {
          setEmail(e.currentTarget.value);
          setPage(1);
        }}
        maw={420}
      />
      {users.error ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : !users.data ? (
        <PageLoader />
      ) : users.data.items.length === 0 ? (
        <Text size="sm">{t('admin.users.empty')}</Text>
      ) : (
        <>
          <UsersTable items={users.data.items} />
          <ListPager total={users.data.total} pageSize={ADMIN_PAGE_SIZE} page={page} onChange={setPage} />
        </>
      )}
    </Stack>
  );
}

function UsersTable({ items }: { items: AdminUser[] }) {
  const { t, i18n } = useTranslation();
  return (
    <ScrollTable minWidth={880} label={t('admin.tabs.users')}>
      <Table verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.users.email')}</Table.Th>
            <Table.Th>{t('admin.users.plan')}</Table.Th>
            <Table.Th>{t('admin.users.stores')}</Table.Th>
            <Table.Th ta="right">{t('admin.users.activeProducts')}</Table.Th>
            <Table.Th>{t('admin.users.created')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('admin.users.grant')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((user) => (
            <Table.Tr key={user.id}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {user.email}
                </Text>
                {user.role === 'admin' && (
                  <Badge size="xs" variant="light" color="grape">
                    {t('admin.users.roles.admin')}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{t(`billing.plans.${user.plan}`, { defaultValue: user.plan })}</Text>
                {user.subscriptionEnd && (
                  <Text size="xs" c="dimmed">
                    {t('admin.users.until', { date: formatDate(user.subscriptionEnd, i18n.language) })}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {user.stores.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('admin.users.noStores')}
                  </Text>
                ) : (
                  <Stack gap={2} component="ul" className="plain-list">
                    {user.stores.map((store) => (
                      <li key={store.id}>
                        <Text size="sm" span>
                          {store.name}
                        </Text>{' '}
                        <Text size="xs" c="dimmed" span>
                          ({t('admin.users.storeActive', { count: store.activeProducts })})
                        </Text>{' '}
                        <Anchor
                          href={store.workflowsUrl}
                          target="_blank"
                          rel="noreferrer"
                          size="xs"
                          aria-label={t('admin.users.workflowsOf', { name: store.name })}
                        >
                          {t('admin.users.workflows')} <IconExternalLink size={12} aria-hidden />
                        </Anchor>
                      </li>
                    ))}
                  </Stack>
                )}
              </Table.Td>
              <Table.Td ta="right" className="num">
                {formatCount(user.activeProducts)}
              </Table.Td>
              <Table.Td className="num">{formatDate(user.createdAt, i18n.language)}</Table.Td>
              <Table.Td>
                <Button
                  component={Link}
                  to={`/admin/subscriptions?email=${encodeURIComponent(user.email)}`}
                  size="compact-xs"
                  variant="default"
                  aria-label={t('admin.users.grantFor', { email: user.email })}
                >
                  {t('admin.users.grant')}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

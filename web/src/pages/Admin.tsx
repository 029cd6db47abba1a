import { Button, Group, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { useMe } from '../lib/session';
import NotFound from './NotFound';

const SECTIONS = ['users', 'proxies', 'subscriptions', 'system'] as const;

/**
 * The operator's screens. Anyone but an administrator gets the cabinet's ordinary "not found", so the
 * screens do not tell a merchant they exist (the API refuses them anyway).
 */
export default function Admin() {
  const { t } = useTranslation();
  const me = useMe();
  const { pathname } = useLocation();
  if (me.data?.role !== 'admin') return <NotFound />;
  return (
    <Stack gap="lg">
      <Group component="nav" gap="xs" aria-label={t('admin.tabsLabel')}>
        {SECTIONS.map((section) => {
          const active = pathname.startsWith(`/admin/${section}`);
          return (
            <Button
              key={section}
              component={Link}
              to={`/admin/${section}`}
              variant={active ? 'filled' : 'default'}
              size="xs"
              aria-current={active ? 'page' : undefined}
            >
              {t(`admin.tabs.${section}`)}
            </Button>
          );
        })}
      </Group>
      <Outlet />
    </Stack>
  );
}

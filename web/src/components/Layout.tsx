import { AppShell, Burger, Group, NavLink, ScrollArea, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconActivity,
  IconAdjustmentsHorizontal,
  IconHome,
  IconList,
  IconPlugConnected,
  IconChartBar,
  IconTrophy,
  IconClockHour4,
  IconMessage,
  IconReceipt,
} from '@tabler/icons-react';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router';
import { LiveEventsProvider } from '../lib/live-events';
import { rememberStore, useCurrentStoreId } from '../lib/stores';
import { LanguageMenu } from './LanguageMenu';
import { Logo } from './Logo';
import { StoreSwitcher } from './StoreSwitcher';
import { UserMenu } from './UserMenu';

export function Layout() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const storeId = useCurrentStoreId();

  useEffect(() => {
    if (storeId) rememberStore(storeId);
  }, [storeId]);
  useEffect(close, [location.pathname, close]);

  const item = (to: string, label: string, icon: ReactNode, exact = false) => {
    const active = exact ? location.pathname === to : location.pathname.startsWith(to);
    return (
      <NavLink
        component={Link}
        to={to}
        label={label}
        leftSection={icon}
        active={active}
        aria-current={active ? 'page' : undefined}
      />
    );
  };

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
            <Link to="/" className="brand-link">
              <Logo />
              <Text fw={700} visibleFrom="xs">
                Kaspi Demper
              </Text>
              <VisuallyHidden>{t('nav.home')}</VisuallyHidden>
            </Link>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <StoreSwitcher />
            <LanguageMenu />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')}>
        <ScrollArea>
          {item('/', t('nav.home'), <IconHome size={18} aria-hidden />, true)}
          {storeId && (
            <>
              {item(`/stores/${storeId}/products`, t('nav.products'), <IconList size={18} aria-hidden />)}
              {item(`/stores/${storeId}/demper`, t('nav.demper'), <IconAdjustmentsHorizontal size={18} aria-hidden />)}
              {item(`/stores/${storeId}/activity`, t('nav.activity'), <IconActivity size={18} aria-hidden />)}
              {item(`/stores/${storeId}/orders`, t('nav.orders'), <IconReceipt size={18} aria-hidden />)}
              {item(`/stores/${storeId}/sales`, t('nav.sales'), <IconChartBar size={18} aria-hidden />)}
              {item(`/stores/${storeId}/earnings`, t('nav.earnings'), <IconTrophy size={18} aria-hidden />)}
              {item(`/stores/${storeId}/preorders`, t('nav.preorders'), <IconClockHour4 size={18} aria-hidden />)}
              {item(`/stores/${storeId}/messages`, t('nav.messages'), <IconMessage size={18} aria-hidden />)}
            </>
          )}
          {item('/connect', t('nav.connect'), <IconPlugConnected size={18} aria-hidden />)}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <LiveEventsProvider storeId={storeId}>
          <Outlet />
        </LiveEventsProvider>
      </AppShell.Main>
    </AppShell>
  );
}

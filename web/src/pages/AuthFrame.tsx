import { Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { LanguageMenu } from '../components/LanguageMenu';
import { Logo } from '../components/Logo';

export function AuthFrame({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Center mih="100vh" p="md" className="auth-background">
      <Stack w="100%" maw={420} gap="lg">
        <Group justify="space-between">
          <Group gap="xs">
            <Logo size={36} />
            <Text fw={700} size="lg">
              Kaspi Demper
            </Text>
          </Group>
          <LanguageMenu />
        </Group>
        <Paper withBorder shadow="sm" p="xl" radius="lg" component="main">
          <Title order={1} size="h2" mb="lg">
            {title}
          </Title>
          {children}
        </Paper>
        <Text ta="center" size="sm">
          {footer}
        </Text>
      </Stack>
    </Center>
  );
}

import { Group, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A screen's title, what it is about (mostly the store), and its actions beside them. */
export function PageHeader({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children?: ReactNode;
}) {
  const heading = (
    <div>
      <Title order={1} size="h2">
        {title}
      </Title>
      {subtitle !== undefined && (
        <Text c="dimmed" size="sm">
          {subtitle}
        </Text>
      )}
    </div>
  );
  if (!children) return heading;
  return (
    <Group justify="space-between" align="flex-end">
      {heading}
      {children}
    </Group>
  );
}

import { Card, Title, type CardProps } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled card: the unit the product and demper screens are made of. */
export function Section({ title, children, ...card }: { title: string; children: ReactNode } & CardProps) {
  return (
    <Card withBorder padding="lg" {...card}>
      <Title order={2} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

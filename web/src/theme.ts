import { createTheme, mergeThemeOverrides, Notification, type CSSVariablesResolver } from '@mantine/core';

/** Kaspi's red, kept for accents; text and controls stay dark enough for contrast. */
export const theme = createTheme({
  primaryColor: 'kaspi',
  primaryShade: 8,
  colors: {
    kaspi: [
      '#ffeae6',
      '#ffd4cc',
      '#ffa899',
      '#ff7a63',
      '#fe5236',
      '#fe3919',
      '#e4321b',
      '#cb2810',
      '#b3200b',
      '#9c1400',
    ],
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'md',
  headings: { fontWeight: '650' },
  // A merchant who asked the system for less motion gets notifications and panels without animation.
  respectReducedMotion: true,
});

/**
 * The theme in the merchant's language: the kit's own close buttons get a name screen readers can say,
 * and a notification's text under its title is as dark as other secondary text (`.toast-text`).
 */
export function themeIn(closeLabel: string) {
  return mergeThemeOverrides(theme, {
    components: {
      Notification: Notification.extend({
        defaultProps: { closeButtonProps: { 'aria-label': closeLabel } },
        classNames: { description: 'toast-text' },
      }),
    },
  });
}

/** Secondary text and errors dark enough to read (WCAG AA, 4.5:1 on white): Mantine's defaults are lighter. */
export const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-6)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#c5280f" />
      <path d="M18 44V20h6v10l10-10h8L31 31l12 13h-8l-11-11v11z" fill="#fff" />
    </svg>
  );
}

/**
 * `.env.example` and the README's settings table, as the declarations in `src/lib/settings.ts` describe them.
 * `npm run settings:docs` writes them; a test compares them with the files, so neither can drift from the code.
 */
import { SETTING_SECTIONS, type SettingDoc } from '../src/lib/settings';

export const README_TABLE_START = '<!-- settings:start -->';
export const README_TABLE_END = '<!-- settings:end -->';

const ENV_HEADER = [
  '# Every setting Kaspi Demper reads. All are optional for `npm start`, which runs on embedded defaults.',
  '# Copy to .env (or export them) to override. Empty values count as unset.',
  '# Written by `npm run settings:docs` from src/lib/settings.ts: change the declarations there, not this file.',
];

/** Section rules of `.env.example` are padded with dashes to this width. */
const SECTION_RULE_WIDTH = 98;

/** One comment and the variables under it: a line of `.env.example`'s comments, a row of the README's table. */
interface DocGroup {
  doc: readonly string[];
  summary: string | undefined;
  settings: [name: string, setting: SettingDoc][];
}

function docGroups(settings: Readonly<Record<string, SettingDoc>>): DocGroup[] {
  const groups: DocGroup[] = [];
  for (const [name, setting] of Object.entries(settings)) {
    const current = groups.at(-1);
    if (setting.doc === undefined && current) {
      current.settings.push([name, setting]);
    } else {
      const doc = typeof setting.doc === 'string' ? [setting.doc] : (setting.doc ?? []);
      groups.push({ doc, summary: setting.summary, settings: [[name, setting]] });
    }
  }
  return groups;
}

export function envExample(): string {
  const lines = [...ENV_HEADER];
  for (const section of SETTING_SECTIONS) {
    lines.push('', `# --- ${section.title} `.padEnd(SECTION_RULE_WIDTH, '-'));
    for (const group of docGroups(section.settings)) {
      lines.push(...group.doc.map((line) => `# ${line}`));
      lines.push(...group.settings.map(([name, setting]) => `${name}=${setting.default ?? ''}`));
    }
  }
  return lines.join('\n') + '\n';
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The main settings (those with a summary), one row per comment, in the order of `.env.example`. */
export function settingsTable(): string {
  const rows = ['| variable | default | meaning |', '|---|---|---|'];
  for (const group of SETTING_SECTIONS.flatMap((section) => docGroups(section.settings))) {
    if (group.summary === undefined) continue;
    const names = group.settings.map(([name]) => `\`${name}\``).join(', ');
    const defaults = group.settings
      .map(([, setting]) => (setting.default === undefined ? (setting.unset ?? '—') : `\`${setting.default}\``))
      .join(', ');
    rows.push(`| ${names} | ${cell(defaults)} | ${cell(group.summary)} |`);
  }
  return rows.join('\n');
}

/** The README with its settings table, between the markers, replaced by the one the declarations describe. */
export function readmeWithSettingsTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md lacks the markers ${README_TABLE_START} and ${README_TABLE_END} around its settings table`,
    );
  }
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}

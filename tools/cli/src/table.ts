import { printable } from './format.js';

/** One column of a table. */
export interface Column {
  header: string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
}

/**
 * Renders rows as a plain, space-aligned table (kubectl style: upper-case headers, two spaces
 * between columns, no borders), one string per line without trailing spaces. Cells are made
 * printable, since most of them come from the network.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const cells = [columns.map((c) => c.header.toUpperCase()), ...rows.map((r) => columns.map((_, i) => printable(r[i] ?? '')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => [...r[i]!].length)));
  return cells.map((r) =>
    r
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return columns[i]!.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/**
 * CSV exports of reports (RFC 4180), streamed a chunk of rows at a time so a
 * large period never builds one huge string.
 */
import type { Context } from 'hono';

const needsQuoting = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell, quoted when needed; a leading formula character is neutralised so a spreadsheet never runs it. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return needsQuoting.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function wantsCsv(c: Context): boolean {
  return c.req.query('format') === 'csv' || (c.req.header('accept') ?? '').includes('text/csv');
}

export function csvResponse<T extends object>(c: Context, filename: string, rows: T[], columns: (keyof T & string)[]): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const CHUNK = 500;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${columns.join(',')}\r\n`));
    },
    pull(controller) {
      const part = rows.slice(i, i + CHUNK);
      i += CHUNK;
      if (part.length === 0) return controller.close();
      controller.enqueue(encoder.encode(part.map((r) => `${columns.map((k) => csvCell(r[k])).join(',')}\r\n`).join('')));
    },
  });
  return c.body(stream, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
  });
}

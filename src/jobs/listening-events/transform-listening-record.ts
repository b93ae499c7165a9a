import type { ColumnChecks } from '../../core/row-validation';
import type { TableDef, Value } from '../../core/table';
import type { RowEmitter } from '../../run/row-emitter';
import type { ListeningRecord } from '../../sources/listening-events/read-landing-file';
import { songs, users } from '../../tables/listening';

/** Checks beyond the type, by column index. */
const CHECKS = new Map<TableDef, ColumnChecks>([
  [songs, new Map([[songs.columns.findIndex((c) => c.name === 'duration_ms'), (v: Value) => ((v as number) < 0 ? 'negative' : undefined)]])],
  [users, new Map([[users.columns.findIndex((c) => c.name === 'user_age'), (v: Value) => ((v as number) < 0 ? 'negative' : undefined)]])],
]);

/** The checks beyond the type of a listening table's columns, by column index (none for most). */
export function listeningChecks(table: TableDef): ColumnChecks | undefined {
  return CHECKS.get(table);
}

/** One landing record → a row or a reject (on the main thread, or on a shaping thread). */
export function transformListeningRecord(record: ListeningRecord, emit: Pick<RowEmitter, 'reject' | 'text'>): void {
  const { layout, fields } = record;
  const table = layout.table;
  const values = layout.identity ? fields : layout.positions.map((p) => fields[p]);
  const origin = { input: layout.input, line: record.line };
  if (record.problem !== undefined) {
    emit.reject(table, `malformed CSV: ${record.problem}`, values, origin, fields.slice(layout.width));
    return;
  }
  if (fields.length !== layout.width) {
    emit.reject(table, `expected ${layout.width} fields, found ${fields.length}`, values, origin, fields.slice(layout.width));
    return;
  }
  emit.text(table, values, origin, listeningChecks(table));
}

import type { ColumnType, Generated } from 'kysely';

/** Tables as the query layer sees them; each change here comes with a migration. */
export interface Tables {
  streamed_sessions: StreamedSessionsTable;
}

export interface StreamedSessionsTable {
  id: string;
  app_id: string;
  state: string;
  created_at: ColumnType<Date, Date | string, never>;
  ended_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  end_reason: string | null;
  end_detail: string | null;
  /** The resolved sandbox policy the session ran with. */
  policy: ColumnType<unknown, string, never>;
  seq: Generated<number>;
}

import type { ColumnType, Generated } from 'kysely';

/** Tables as the query layer sees them; each change here comes with a migration. */
export interface Tables {
  streamed_sessions: StreamedSessionsTable;
  users: UsersTable;
  passkeys: PasskeysTable;
  sign_ins: SignInsTable;
  shares: SharesTable;
  invitations: InvitationsTable;
  webauthn_challenges: WebauthnChallengesTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_trail: AuditTrailTable;
  recordings: RecordingsTable;
  recording_segments: RecordingSegmentsTable;
  terms_acceptances: TermsAcceptancesTable;
  workers: WorkersTable;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

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
  user_id: ColumnType<string | null, string | null | undefined, never>;
  share_id: ColumnType<string | null, string | null | undefined, never>;
  /** The worker running it (multi-node); null in a single-process install. */
  worker_id: ColumnType<string | null, string | null | undefined, never>;
  /** Its launch (whose, which share and sign-in): the API tier acts on sessions it does not run. */
  launch: ColumnType<unknown, string | null | undefined, never>;
  /** How many watch it now (kept by the process that runs it). */
  watchers: Generated<number>;
}

export interface WorkersTable {
  id: string;
  url: string;
  public_url: string;
  capacity: number;
  live: number;
  state: 'up' | 'draining' | 'stopped' | 'lost';
  started_at: Timestamp;
  heartbeat_at: Timestamp;
  sandbox: Json<WorkerSandbox>;
}

/** A worker's sandbox layers, as `/api/status` reports them. */
export interface WorkerSandbox {
  degraded: boolean;
  landlock: 'enforced' | 'unavailable';
  cgroups: 0 | 1 | 2;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  role: 'owner' | 'client';
  admin: boolean;
  webauthn_user_id: string;
  created_at: ColumnType<Date, Date | string, never>;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  /** bigint comes back as a string from PostgreSQL drivers. */
  counter: ColumnType<string | number, number, number>;
  transports: Json<string[]>;
  backed_up: boolean;
  name: string;
  created_at: ColumnType<Date, Date | string, never>;
  last_used_at: NullableTimestamp;
}

export interface SignInsTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: ColumnType<Date, Date | string, never>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  user_agent: string;
  end_audited_at: NullableTimestamp;
}

export interface StoredSharePath {
  path: string;
  access: 'view' | 'edit' | 'delete';
}

export interface SharesTable {
  id: string;
  owner_id: string;
  client_email: string;
  client_id: string | null;
  label: string;
  paths: Json<StoredSharePath[]>;
  expires_at: Timestamp;
  max_session_minutes: number | null;
  watermark: boolean;
  watermark_density: ColumnType<'sparse' | 'normal' | 'dense', 'sparse' | 'normal' | 'dense' | undefined>;
  watermark_opacity: ColumnType<number, number | undefined>;
  created_at: ColumnType<Date, Date | string, never>;
  updated_at: Timestamp;
  revoked_at: NullableTimestamp;
  expiry_audited_at: NullableTimestamp;
  /** Hidden from the owner's list (a revoked or expired share the owner archived). */
  archived_at: NullableTimestamp;
  recording: ColumnType<boolean, boolean | undefined>;
  live_view: ColumnType<boolean, boolean | undefined>;
  /** Null: no terms. */
  terms_text: ColumnType<string | null, string | null | undefined>;
  /** How many texts the terms have had (kept when they are removed); null: never any. */
  terms_version: ColumnType<number | null, number | null | undefined>;
  /** The app ids the client may open (JSON array, never empty; the File Explorer when not written). */
  apps: ColumnType<string[], string | undefined, string>;
}

/** Each time a client accepted a version of a share's terms. */
export interface TermsAcceptancesTable {
  id: string;
  share_id: string;
  user_id: string;
  version: number;
  typed_name: string;
  accepted_at: ColumnType<Date, Date | string, never>;
  ip: string | null;
  user_agent: string | null;
}

export interface InvitationsTable {
  id: string;
  token_hash: string;
  kind: 'setup' | 'owner' | 'client';
  email: string | null;
  share_id: string | null;
  created_by: string | null;
  created_at: ColumnType<Date, Date | string, never>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  used_by: string | null;
  revoked_at: NullableTimestamp;
  expiry_audited_at: NullableTimestamp;
}

export interface WebauthnChallengesTable {
  id: string;
  challenge: string;
  purpose: 'register' | 'login' | 'add-passkey';
  user_id: string | null;
  invitation_id: string | null;
  data: Json<Record<string, unknown>>;
  expires_at: Timestamp;
}

/** Append-only; `hash` chains each row to the one before it (server/src/audit/chain.ts). */
export interface AuditEventsTable {
  /** bigint comes back as a string from PostgreSQL drivers. */
  seq: ColumnType<string | number, number, never>;
  at: ColumnType<Date, Date, never>;
  actor_id: ColumnType<string | null, string | null, never>;
  actor_role: ColumnType<string, string, never>;
  action: ColumnType<string, string, never>;
  target_type: ColumnType<string | null, string | null, never>;
  target_id: ColumnType<string | null, string | null, never>;
  target_path: ColumnType<string | null, string | null, never>;
  outcome: ColumnType<string, string, never>;
  reason: ColumnType<string | null, string | null, never>;
  ip: ColumnType<string | null, string | null, never>;
  user_agent: ColumnType<string | null, string | null, never>;
  correlation_id: ColumnType<string | null, string | null, never>;
  owner_id: ColumnType<string | null, string | null, never>;
  share_id: ColumnType<string | null, string | null, never>;
  session_id: ColumnType<string | null, string | null, never>;
  /** Canonical JSON text (sorted keys), exactly as hashed. */
  detail: ColumnType<string, string, never>;
  /** 1: plain SHA-256 (recorded before the trail had a key); 2: HMAC-SHA-256 (migration 007). */
  scheme: ColumnType<number, number, never>;
  prev_hash: ColumnType<string, string, never>;
  hash: ColumnType<string, string, never>;
}

/** The one record of the audit key's arrival (migration 007): append-only. */
export interface AuditTrailTable {
  only_one: ColumnType<boolean, never, never>;
  id: ColumnType<string, string, never>;
  keyed_from: ColumnType<string | number, number, never>;
  key_check: ColumnType<string, string, never>;
  created_at: ColumnType<Date, Date, never>;
}

export interface AuditCheckpointsTable {
  through_seq: ColumnType<string | number, never, never>;
  hash: ColumnType<string, never, never>;
  purged: ColumnType<string | number, never, never>;
  at: ColumnType<Date, never, never>;
}

/** A recording of one session of a share (migration 009); its segments' hashes are on the trail. */
export interface RecordingsTable {
  id: string;
  session_id: string;
  share_id: string | null;
  owner_id: string;
  client_id: string;
  state: 'recording' | 'finished' | 'interrupted' | 'failed';
  started_at: ColumnType<Date, Date, never>;
  ended_at: NullableTimestamp;
  segments: ColumnType<number, number | undefined, number>;
  /** bigint comes back as a string from PostgreSQL drivers. */
  bytes: ColumnType<string | number, number | undefined, number>;
}

export interface RecordingSegmentsTable {
  recording_id: string;
  idx: number;
  clip: number;
  started_at: ColumnType<Date, Date, never>;
  ended_at: ColumnType<Date, Date, never>;
  bytes: number;
  sha256: string;
  events_sha256: string;
  keyframe: boolean;
  pictures: number;
}

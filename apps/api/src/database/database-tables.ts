import type { ColumnType, Generated } from 'kysely';

/** Times the api sets itself (to the millisecond, so a page's cursor names a row exactly). */
type Timestamp = ColumnType<Date, Date, Date>;

/** `conversations`: one row per conversation, owned by one principal. */
export interface ConversationsTable {
  id: string;
  owner: string;
  title: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  active_leaf_id: string | null;
}

/** `messages`: the nodes of each conversation's tree (`parent_id` → the message it follows). */
export interface MessagesTable {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: string;
  content: string;
  /** A reasoning model's thinking before `content`; empty for other messages. */
  reasoning: Generated<string>;
  status: string;
  model: string | null;
  stream_id: string | null;
  finish_reason: string | null;
  error_code: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  ttft_ms: number | null;
  duration_ms: number | null;
  created_at: Timestamp;
}

/** A JSON column: written as JSON text (or null), read back parsed. */
type Json<T> = ColumnType<T, Extract<T, null> | string, Extract<T, null> | string>;

/** `api_keys`: keys made at runtime, by their SHA-256; the secret itself is never stored. */
export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  sha256: string;
  groups: Json<string[]>;
  models: Json<string[] | null>;
  limits: Json<Record<string, number> | null>;
  budget: Json<{ usd: number; period: 'day' | 'month' } | null>;
  expires_at: Date | null;
  created_at: Timestamp;
  created_by: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** `audit_events`: admin actions and security events; the database refuses to change them. */
export interface AuditEventsTable {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  action: string;
  target: string;
  detail: Json<Record<string, unknown>>;
}

/** `usage_rows`: one per reply and embeddings call: who, what, how much; never content. */
export interface UsageRowsTable {
  id: Generated<string>;
  at: Timestamp;
  principal: string;
  key_id: string | null;
  groups: Json<string[]>;
  /** `native`, `openai` (`/v1` chat) or `embeddings`. */
  api: string;
  model: string;
  deployment: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** True when the upstream reported no usage and the tokens are our estimate. */
  estimated: boolean;
  cost_usd: number;
  /** False when the model has no price: its cost is 0. */
  priced: boolean;
  ttft_ms: number | null;
  duration_ms: number;
  /** A finish reason, an error code, or `ok` for embeddings. */
  outcome: string;
}

/** `budgets`: what admins allow a user or a group to spend per UTC day or month. */
export interface BudgetsTable {
  kind: string;
  owner: string;
  usd: number;
  period: string;
  updated_at: Timestamp;
}

/** The api's database, as Kysely types its queries. */
export interface DatabaseTables {
  conversations: ConversationsTable;
  messages: MessagesTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  usage_rows: UsageRowsTable;
  budgets: BudgetsTable;
}

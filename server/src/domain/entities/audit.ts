/** Every admin action: who (an API key's id, never the key), what, on what, when. */
export interface AuditDoc {
  at: Date;
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

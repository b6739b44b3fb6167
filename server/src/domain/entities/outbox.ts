/**
 * One message to deliver (an email, an alert), stored before anything is sent: a crash or an
 * outage of the receiver loses nothing. `_id` is the message's natural key (the invoice request
 * for its emailed copy, the incident for an alert), so it is enqueued at most once, and the
 * delivery loop of any process claims it with a lease, exactly like the invoice worker.
 */
export interface OutboxDoc<P = Record<string, unknown>> {
  _id: string;
  /** pending: to deliver (at nextAttemptAt); sent; bounced: refused for good (an email address);
   * failed: gave up after the policy's attempts. */
  status: 'pending' | 'sent' | 'bounced' | 'failed';
  payload: P;
  createdAt: Date;
  attempts: number;
  nextAttemptAt?: Date;
  lease?: { owner: string; until: Date };
  sentAt?: Date;
  lastError?: { message: string; at: Date };
  /** Every delivery attempt, for ops. */
  log: { at: Date; outcome: 'sent' | 'retry' | 'bounced' | 'failed'; detail: string }[];
}

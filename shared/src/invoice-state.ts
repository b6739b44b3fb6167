/**
 * The life of an invoice request, as one table. The server applies each row as a single
 * conditional update ({_id, status: from} → {status: to}) and the Mini Program reads the same
 * states, so nothing else may decide which moves are legal: ask nextState().
 *
 *   AUTH_PENDING → AUTHORIZED → ISSUING → ISSUED → OFFSETTING → OFFSET
 *        │              │           │                  │
 *        ├→ AUTH_FAILED ├→ REJECTED └→ ISSUE_FAILED ─┐ └→ OFFSET_FAILED (retry → OFFSETTING)
 *        └→ AUTH_EXPIRED             (retry → AUTHORIZED, or rejected → REJECTED)
 *
 * Beside the state, a request may carry a needs-attention flag (the worker gave up on it within
 * its attempt and age limits, or hit something retrying cannot heal); that is not a state: ops
 * clear it with an audited action.
 */

export const INVOICE_STATES = [
  /** Auth URL handed out; waiting for the user on WeChat's authorization page. */
  'AUTH_PENDING',
  /** The user authorized (push or getauthdata); ready to issue. */
  'AUTHORIZED',
  /** fpqqlsh stored and makeoutinvoice called; waiting for the result. */
  'ISSUING',
  /** The invoice exists (fpdm/fphm known) and is in the user's card package. */
  'ISSUED',
  /** clearoutinvoice (红冲) called after a refund; waiting for it to complete. */
  'OFFSETTING',
  /** The invoice has been offset by a red invoice. */
  'OFFSET',
  /** The user declined on the authorization page. */
  'AUTH_FAILED',
  /** The user never authorized in time. */
  'AUTH_EXPIRED',
  /** The merchant refused to issue (rejectinsert); the order_id is burnt. */
  'REJECTED',
  /** The invoicing platform refused; ops may retry or reject. */
  'ISSUE_FAILED',
  /** The red invoice failed: the blue one still stands (the refund is not yet invoiced back); ops retry. */
  'OFFSET_FAILED',
] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

export const INVOICE_EVENTS = [
  /** user_authorize_invoice with SuccOrderId, or getauthdata "auth success". */
  'authorized',
  /** user_authorize_invoice with FailOrderId, or getauthdata reports a failed authorization. */
  'declined',
  /** The authorization window passed without an answer. */
  'auth_expired',
  /** Ops rejected the request and rejectinsert succeeded (WeChat allows it only after authorization). */
  'rejected',
  /** The worker stored the fpqqlsh and is calling makeoutinvoice. */
  'issue_started',
  /** Result event status 100, confirmed by queryinvoceinfo. */
  'issued',
  /** Result event status 2, or a permanent makeoutinvoice error. */
  'issue_failed',
  /** Ops: try again after fixing the cause (title, platform settings …), or a failed offset. */
  'retry',
  /** Ops: offset (红冲) after a refund. */
  'offset_started',
  /** clearoutinvoice completed. */
  'offset_done',
  /** clearoutinvoice failed (refused, or the red invoice failed): the blue invoice still stands. */
  'offset_failed',
] as const;
export type InvoiceEvent = (typeof INVOICE_EVENTS)[number];

export interface InvoiceTransition {
  readonly from: InvoiceState;
  readonly event: InvoiceEvent;
  readonly to: InvoiceState;
}

/** Every legal move. A (from, event) pair appears at most once; anything absent is illegal. */
export const INVOICE_TRANSITIONS: readonly InvoiceTransition[] = [
  { from: 'AUTH_PENDING', event: 'authorized', to: 'AUTHORIZED' },
  { from: 'AUTH_PENDING', event: 'declined', to: 'AUTH_FAILED' },
  { from: 'AUTH_PENDING', event: 'auth_expired', to: 'AUTH_EXPIRED' },
  { from: 'AUTHORIZED', event: 'issue_started', to: 'ISSUING' },
  { from: 'AUTHORIZED', event: 'rejected', to: 'REJECTED' },
  { from: 'ISSUING', event: 'issued', to: 'ISSUED' },
  { from: 'ISSUING', event: 'issue_failed', to: 'ISSUE_FAILED' },
  { from: 'ISSUE_FAILED', event: 'retry', to: 'AUTHORIZED' },
  { from: 'ISSUE_FAILED', event: 'rejected', to: 'REJECTED' },
  { from: 'ISSUED', event: 'offset_started', to: 'OFFSETTING' },
  { from: 'OFFSETTING', event: 'offset_done', to: 'OFFSET' },
  { from: 'OFFSETTING', event: 'offset_failed', to: 'OFFSET_FAILED' },
  { from: 'OFFSET_FAILED', event: 'retry', to: 'OFFSETTING' },
];

/** Every request starts here, including post-payment ones (created, then `authorized` at once). */
export const INITIAL_INVOICE_STATE: InvoiceState = 'AUTH_PENDING';

/**
 * Where `event` takes a request in `state`, or undefined when it does not apply. Undefined is
 * normal for duplicates (a second `authorized` push) and must not be treated as a crash.
 */
export function nextState(state: InvoiceState, event: InvoiceEvent): InvoiceState | undefined {
  for (const transition of INVOICE_TRANSITIONS) {
    if (transition.from === state && transition.event === event) return transition.to;
  }
  return undefined;
}

/** The events that move a request out of `state` (e.g. to offer ops the right buttons). */
export function eventsFrom(state: InvoiceState): InvoiceEvent[] {
  return INVOICE_TRANSITIONS.filter((transition) => transition.from === state).map((transition) => transition.event);
}

const FINAL_STATES: readonly InvoiceState[] = ['ISSUED', 'OFFSET', 'AUTH_FAILED', 'AUTH_EXPIRED', 'REJECTED'];

/**
 * The request has reached its outcome. The one exit from a final state is ISSUED → OFFSETTING,
 * which ops start after a refund. ISSUE_FAILED is not final: it is waiting for ops to retry or
 * reject.
 */
export function isFinal(state: InvoiceState): boolean {
  return FINAL_STATES.indexOf(state) >= 0;
}

/** ISSUE_FAILED and OFFSET_FAILED are not final either: each waits for ops. */
const WORKER_DRIVEN_STATES: readonly InvoiceState[] = ['AUTH_PENDING', 'AUTHORIZED', 'ISSUING', 'OFFSETTING'];

/**
 * The scheduler owns requests in these states (polling getauthdata, issuing, querying the result,
 * offsetting) and must keep a nextActionAt on them. Every other state waits for a person.
 */
export function isWorkerDriven(state: InvoiceState): boolean {
  return WORKER_DRIVEN_STATES.indexOf(state) >= 0;
}

/** Outcomes after which the user may apply again (a new request with a new WeChat order_id). */
export const REAPPLICABLE_STATES: readonly InvoiceState[] = ['REJECTED', 'AUTH_FAILED', 'AUTH_EXPIRED'];

export function canReapply(state: InvoiceState): boolean {
  return REAPPLICABLE_STATES.indexOf(state) >= 0;
}

export function isInvoiceState(value: unknown): value is InvoiceState {
  return typeof value === 'string' && (INVOICE_STATES as readonly string[]).indexOf(value) >= 0;
}

export function isInvoiceEvent(value: unknown): value is InvoiceEvent {
  return typeof value === 'string' && (INVOICE_EVENTS as readonly string[]).indexOf(value) >= 0;
}

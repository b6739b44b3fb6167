import fc from 'fast-check';
import {
  INITIAL_INVOICE_STATE,
  INVOICE_EVENTS,
  INVOICE_STATES,
  INVOICE_TRANSITIONS,
  type InvoiceEvent,
  type InvoiceState,
  canReapply,
  eventsFrom,
  isFinal,
  isInvoiceEvent,
  isInvoiceState,
  isWorkerDriven,
  nextState,
} from './invoice-state';

/** The documented flow (README "How an invoice moves"), written out independently of the table. */
const DOCUMENTED: ReadonlyArray<[InvoiceState, InvoiceEvent, InvoiceState]> = [
  ['AUTH_PENDING', 'authorized', 'AUTHORIZED'],
  ['AUTH_PENDING', 'declined', 'AUTH_FAILED'],
  ['AUTH_PENDING', 'auth_expired', 'AUTH_EXPIRED'],
  ['AUTHORIZED', 'issue_started', 'ISSUING'],
  ['AUTHORIZED', 'rejected', 'REJECTED'],
  ['ISSUING', 'issued', 'ISSUED'],
  ['ISSUING', 'issue_failed', 'ISSUE_FAILED'],
  ['ISSUE_FAILED', 'retry', 'AUTHORIZED'],
  ['ISSUE_FAILED', 'rejected', 'REJECTED'],
  ['ISSUED', 'offset_started', 'OFFSETTING'],
  ['OFFSETTING', 'offset_done', 'OFFSET'],
  ['OFFSETTING', 'offset_failed', 'OFFSET_FAILED'],
  ['OFFSET_FAILED', 'retry', 'OFFSETTING'],
];

describe('invoice request state table', () => {
  it.each(DOCUMENTED)('%s --%s--> %s', (from, event, to) => {
    expect(nextState(from, event)).toBe(to);
  });

  it('allows nothing else: every other (state, event) pair is rejected', () => {
    const allowed = new Set(DOCUMENTED.map(([from, event]) => `${from}/${event}`));
    for (const state of INVOICE_STATES) {
      for (const event of INVOICE_EVENTS) {
        if (!allowed.has(`${state}/${event}`)) expect([state, event, nextState(state, event)]).toEqual([state, event, undefined]);
      }
    }
    expect(INVOICE_TRANSITIONS).toHaveLength(DOCUMENTED.length);
  });

  it.each<[InvoiceState, InvoiceEvent]>([
    ['AUTH_PENDING', 'issue_started'], // never issue without authorization
    ['AUTHORIZED', 'authorized'], // a duplicate push is a no-op
    ['ISSUING', 'rejected'], // makeoutinvoice was called: too late to reject
    ['ISSUING', 'issue_started'], // never a second makeoutinvoice
    ['ISSUED', 'issued'],
    ['ISSUED', 'rejected'],
    ['REJECTED', 'retry'], // the order_id is burnt; re-apply instead
    ['AUTH_EXPIRED', 'authorized'],
    ['OFFSET', 'offset_started'],
  ])('rejects %s --%s-->', (state, event) => {
    expect(nextState(state, event)).toBeUndefined();
  });

  it('has one row per (state, event), so the move is never ambiguous', () => {
    const keys = INVOICE_TRANSITIONS.map((t) => `${t.from}/${t.event}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('final states have no exits except ISSUED → OFFSETTING (offset after a refund)', () => {
    const finalExits = INVOICE_TRANSITIONS.filter((t) => isFinal(t.from)).map((t) => `${t.from}/${t.event}/${t.to}`);
    expect(finalExits).toEqual(['ISSUED/offset_started/OFFSETTING']);
    expect(INVOICE_STATES.filter(isFinal).sort()).toEqual(['AUTH_EXPIRED', 'AUTH_FAILED', 'ISSUED', 'OFFSET', 'REJECTED']);
  });

  it('every state that is not final has a way out, and every state is reachable', () => {
    for (const state of INVOICE_STATES) {
      if (!isFinal(state)) expect([state, eventsFrom(state).length > 0]).toEqual([state, true]);
    }
    const reached = new Set<InvoiceState>([INITIAL_INVOICE_STATE]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of INVOICE_TRANSITIONS) {
        if (reached.has(t.from) && !reached.has(t.to)) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...INVOICE_STATES].sort());
  });

  it('lets the user re-apply exactly after REJECTED, AUTH_FAILED and AUTH_EXPIRED, all final', () => {
    expect(INVOICE_STATES.filter(canReapply).sort()).toEqual(['AUTH_EXPIRED', 'AUTH_FAILED', 'REJECTED']);
    for (const state of INVOICE_STATES.filter(canReapply)) expect(isFinal(state)).toBe(true);
  });

  it('puts every state with a worker, an outcome, or ops (ISSUE_FAILED, OFFSET_FAILED) — exactly one of them', () => {
    for (const state of INVOICE_STATES) {
      const owners = [isWorkerDriven(state), isFinal(state), state === 'ISSUE_FAILED' || state === 'OFFSET_FAILED'].filter(Boolean);
      expect([state, owners.length]).toEqual([state, 1]);
    }
  });

  it('lists the events that leave a state', () => {
    expect(eventsFrom('AUTH_PENDING').sort()).toEqual(['auth_expired', 'authorized', 'declined']);
    expect(eventsFrom('ISSUE_FAILED').sort()).toEqual(['rejected', 'retry']);
    expect(eventsFrom('OFFSET')).toEqual([]);
  });

  it('any sequence of events, legal or not, only ever lands on known states, and OFFSET is the end', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INVOICE_EVENTS), { maxLength: 40 }), (events) => {
        let state: InvoiceState = INITIAL_INVOICE_STATE;
        for (const event of events) {
          const next = nextState(state, event);
          if (state === 'OFFSET') expect(next).toBeUndefined();
          if (next !== undefined) state = next;
          expect(isInvoiceState(state)).toBe(true);
        }
      }),
    );
  });

  it('recognises states and events from the database or the wire', () => {
    expect(isInvoiceState('ISSUED')).toBe(true);
    expect(isInvoiceState('issued')).toBe(false);
    expect(isInvoiceState(3)).toBe(false);
    expect(isInvoiceEvent('offset_done')).toBe(true);
    expect(isInvoiceEvent('OFFSET')).toBe(false);
  });
});

import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { pollAuthorization } from './authorization';
import type { LifecycleDeps, Next } from './deps';
import { confirmInvoice, issueInvoice } from './issuing';
import { offsetStep } from './offsetting';

/** What the worker does with a due request, by the state it is in. Final states: nothing. */
export function stepFor(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  switch (request.status) {
    case 'AUTH_PENDING':
      return pollAuthorization(deps, request);
    case 'AUTHORIZED':
      return issueInvoice(deps, request);
    case 'ISSUING':
      return confirmInvoice(deps, request);
    case 'OFFSETTING':
      return offsetStep(deps, request);
    default:
      return Promise.resolve(undefined);
  }
}

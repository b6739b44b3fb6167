import type { PushMessage } from '../../wechat/push';
import { onAuthorizeEvent } from './authorization';
import type { LifecycleDeps } from './deps';
import { onInvoiceResult } from './issuing';

/** Acts on a stored push: authorization and invoice results move requests; others are kept only. */
export async function handlePushMessage(deps: LifecycleDeps, message: PushMessage, account?: string): Promise<void> {
  if (message.kind === 'user_authorize_invoice') await onAuthorizeEvent(deps, message, account);
  else if (message.kind === 'cloud_invoice_invoiceresult_event') await onInvoiceResult(deps, message);
}

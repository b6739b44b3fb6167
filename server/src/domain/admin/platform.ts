import type { SetUrlAnswer } from '@fapiao/shared/contract';
import { recordAudit, type AuditDeps } from '../audit';
import type { LifecycleDeps } from '../lifecycle/deps';
import { askWeChat } from '../wechat-failure';

export interface PlatformDeps extends AuditDeps {
  lifecycle: Pick<LifecycleDeps, 'invoice'>;
}

/** For a merchant that is its own invoicing platform: seturl, and the s_pappid in its invoice_url. */
export async function setPlatformUrl(deps: PlatformDeps, actor: string): Promise<SetUrlAnswer> {
  const answer = await askWeChat(() => deps.lifecycle.invoice.setUrl());
  await recordAudit(deps, { actor, action: 'platform.seturl', target: 'platform' });
  return { invoiceUrl: answer.invoice_url, sPappid: sPappidInUrl(answer.invoice_url) };
}

/**
 * The s_pappid in seturl's invoice_url exactly as written: real ones are base64 with "+", "/" and
 * "=", and a form decoder (URLSearchParams) would turn "+" into a space. Percent escapes are
 * decoded; nothing else is.
 */
function sPappidInUrl(invoiceUrl: string): string | null {
  const query = invoiceUrl.includes('?') ? invoiceUrl.slice(invoiceUrl.indexOf('?') + 1).split('#')[0] ?? '' : '';
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq) !== 's_pappid') continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1)) || null;
    } catch {
      return null;
    }
  }
  return null;
}

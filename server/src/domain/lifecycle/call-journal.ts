import type { InvoiceState } from '@fapiao/shared';
import type { InvoiceRequestDoc } from '../entities/invoice-request';
import type { InvoiceApi } from '../../wechat';
import type { WeChatAccount, WeChatAccounts } from '../../wechat/accounts';
import { recordingInvoiceApi, type RecordedCall } from './answers';
import type { LifecycleDeps } from './deps';

/**
 * Writes one step's WeChat calls to the journal (wechat_calls), with the request's state before
 * and after. A journal write that fails is logged, not thrown: WeChat has already acted, and the
 * step's outcome must not be reported as failed because its record could not be kept.
 */
export async function journalCalls(
  deps: Pick<LifecycleDeps, 'wechatCalls' | 'log'>,
  requestId: string,
  calls: RecordedCall[],
  by: string,
  stateBefore: InvoiceState | null,
  stateAfter: InvoiceState | undefined,
): Promise<void> {
  if (!deps.wechatCalls || calls.length === 0) return;
  try {
    await deps.wechatCalls.record(
      calls.map((c) => ({ requestId, at: c.at, api: c.api, errcode: c.errcode, errmsg: c.errmsg, summary: c.summary, durationMs: c.durationMs, by, stateBefore, stateAfter })),
    );
  } catch (err) {
    deps.log.warn({ err, requestId, calls: calls.length }, 'could not journal WeChat calls');
  }
}

/**
 * Runs an action on one request (ops' reject or reconcile, the buyer's authorization link) with
 * every WeChat call of the request's own account recorded, then journals them with the state the
 * request was in before and is in after.
 */
export async function journaled<T>(deps: LifecycleDeps, request: InvoiceRequestDoc, by: string, act: (deps: LifecycleDeps) => Promise<T>): Promise<T> {
  if (!deps.wechatCalls) return act(deps);
  const own = deps.accounts.resolve(request);
  const recorder = recordingInvoiceApi(own ? own.client.invoice : deps.invoice, () => deps.now());
  try {
    return await act({ ...deps, invoice: recorder.api, accounts: recordedFor(deps.accounts, own, recorder.api) });
  } finally {
    if (recorder.calls.length) {
      const after = await deps.requests.findById(request._id).catch(() => null);
      await journalCalls(deps, request._id, recorder.calls, by, request.status, after?.status);
    }
  }
}

/** The accounts as one step sees them: the request's own account answers through the recorder. */
export function recordedFor(accounts: WeChatAccounts, own: WeChatAccount | undefined, invoice: InvoiceApi): WeChatAccounts {
  if (!own) return accounts;
  const recorded: WeChatAccount = { ...own, client: { ...own.client, invoice } };
  const swap = (account: WeChatAccount | undefined) => (account === own ? recorded : account);
  return {
    default: accounts.default === own ? recorded : accounts.default,
    all: accounts.all.map((account) => (account === own ? recorded : account)),
    byName: (name) => swap(accounts.byName(name)),
    resolve: (ref) => swap(accounts.resolve(ref)),
  };
}

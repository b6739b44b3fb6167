import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { WeChatCallLog } from '../../data/wechat-call/wechat-call.repository';
import { AppError } from '../../errors';
import { pageOf, type PageCursor } from '../paging';

export interface WeChatCallDeps {
  requests: InvoiceRequestRepository;
  calls: WeChatCallLog;
}

/** One request's WeChat calls, newest first, a page at a time (the request page's table). */
export async function listWeChatCalls(deps: WeChatCallDeps, requestId: string, limit: number, cursor?: PageCursor) {
  if (!(await deps.requests.findById(requestId))) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${requestId}`);
  const after = cursor && { at: cursor.createdAt, id: cursor.key };
  const found = await deps.calls.forRequest(requestId, limit + 1, after);
  const { items, nextCursor } = pageOf(found, limit, (c) => ({ createdAt: c.at, key: c._id.toHexString() }));
  return {
    calls: items.map((c) => ({
      at: c.at.toISOString(),
      api: c.api,
      errcode: c.errcode,
      errmsg: c.errmsg,
      summary: c.summary,
      durationMs: Math.round(c.durationMs),
      by: c.by,
      stateBefore: c.stateBefore,
      ...(c.stateAfter ? { stateAfter: c.stateAfter } : {}),
    })),
    ...(nextCursor ? { nextCursor } : {}),
  };
}

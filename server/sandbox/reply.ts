import crypto from 'node:crypto';
import type { Context } from 'koa';
import { SANDBOX_ERRMSG } from './errcodes';

/**
 * WeChat answers HTTP 200 with `{errcode, errmsg}` for failures, and the payload (with
 * `errcode: 0, errmsg: "ok"` on most endpoints) for success.
 */
export class WeChatFailure extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string = SANDBOX_ERRMSG[errcode] ?? 'error',
  ) {
    super(`${errcode} ${errmsg}`);
  }
}

export function fail(errcode: number, errmsg?: string): never {
  throw new WeChatFailure(errcode, errmsg);
}

export function replyFailure(ctx: Context, failure: WeChatFailure): void {
  ctx.status = 200;
  // An empty errmsg stays empty (makeoutinvoice's errcode 1, as merchants report it): WeChat adds no rid to it.
  ctx.body = { errcode: failure.errcode, errmsg: failure.errmsg === '' ? '' : `${failure.errmsg} rid: ${requestId()}` };
}

/** A WeChat-looking request id: hex time + random. */
function requestId(): string {
  return `${Math.floor(Date.now() / 1000).toString(16)}-${crypto.randomBytes(6).toString('hex')}`;
}

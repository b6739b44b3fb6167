import type { InvoiceState } from '@fapiao/shared';
import { Schema, Types, type Connection, type Model } from 'mongoose';

/**
 * One WeChat API call made for an invoice request: which API, when, how long, what WeChat
 * answered (errcode, errmsg, a summary naming fields, never tokens or tickets), and the request's
 * state before and after the step that made it. What ops read to see "what did WeChat say".
 */
interface WeChatCallDoc {
  requestId: string;
  at: Date;
  /** WeChat's API path, e.g. card/invoice/makeoutinvoice. */
  api: string;
  /** 0 for success; WeChat's errcode; -1 when nothing usable came back (timeout, network). */
  errcode: number;
  errmsg: string;
  summary: string;
  durationMs: number;
  /** Who made it happen: worker, buyer, merchant, staff:<username>, admin:<key id>. */
  by: string;
  stateBefore: InvoiceState | null;
  /** Absent when the request was gone afterwards (WeChat refused a new request's link: it was taken back). */
  stateAfter?: InvoiceState | undefined;
}

/**
 * Kept for a year and a bit: long enough for a tax year's disputes and audits, then removed by the
 * database (a TTL index), so the collection is bounded without a per-request cap to maintain. The
 * worker's own limits bound the calls of one request (at most a few thousand polls over the
 * longest authorization window); the API pages them.
 */
const WECHAT_CALL_RETENTION_DAYS = 400;

const schema = new Schema<WeChatCallDoc>(
  {
    requestId: { type: String, required: true },
    at: { type: Date, required: true },
    api: { type: String, required: true },
    errcode: { type: Number, required: true },
    errmsg: { type: String, default: '' },
    summary: { type: String, default: '' },
    durationMs: { type: Number, required: true },
    by: { type: String, required: true },
    stateBefore: { type: String, default: null },
    stateAfter: String,
  },
  { collection: 'wechat_calls', versionKey: false },
);
// One request's calls, newest first (the request page and its paging).
schema.index({ requestId: 1, at: -1, _id: -1 });
schema.index({ at: 1 }, { expireAfterSeconds: WECHAT_CALL_RETENTION_DAYS * 24 * 3600 });

export type WeChatCallModel = Model<WeChatCallDoc>;

export function wechatCallModel(db: Connection): WeChatCallModel {
  return (db.models.WeChatCall as WeChatCallModel | undefined) ?? db.model<WeChatCallDoc>('WeChatCall', schema);
}

type StoredWeChatCall = WeChatCallDoc & { _id: Types.ObjectId };

export interface WeChatCallLog {
  record(calls: WeChatCallDoc[]): Promise<void>;
  /** Newest first; `after` continues strictly after a call of a previous page. */
  forRequest(requestId: string, limit: number, after?: { at: Date; id: string }): Promise<StoredWeChatCall[]>;
}

export function wechatCallLog(model: WeChatCallModel): WeChatCallLog {
  return {
    async record(calls) {
      if (calls.length) await model.insertMany(calls, { ordered: false });
    },
    forRequest(requestId, limit, after) {
      const query: Record<string, unknown> = { requestId };
      if (after) {
        const id = new Types.ObjectId(after.id);
        query.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: id } }];
      }
      return model.find(query).sort({ at: -1, _id: -1 }).limit(limit).lean<StoredWeChatCall[]>();
    },
  };
}

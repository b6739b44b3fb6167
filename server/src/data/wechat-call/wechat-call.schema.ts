import { Schema, type Connection, type Model } from 'mongoose';
import type { WeChatCallDoc } from '../../domain/entities/wechat-call';

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

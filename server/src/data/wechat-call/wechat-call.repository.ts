import { Types } from 'mongoose';
import type { StoredWeChatCall, WeChatCallDoc } from '../../domain/entities/wechat-call';
import type { WeChatCallModel } from './wechat-call.schema';

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

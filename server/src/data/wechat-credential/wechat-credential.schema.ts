import { Schema, type Connection, type Model } from 'mongoose';
import type { CredentialKind } from '../../wechat/token-store';

/**
 * One document per (appid, kind): the access_token or the wx_card ticket that every server
 * process shares, and the lease that lets one process at a time fetch a new one.
 *
 * The key is the `_id` itself, `<appid>/<kind>`: unique on every server without an index build,
 * so even the very first concurrent writes of a cold start can rely on it (a secondary unique
 * index built by autoIndex in the background could still be missing at that moment).
 */
export interface WeChatCredentialDoc {
  _id: string;
  appid: string;
  kind: CredentialKind;
  value: string | null;
  expiresAt: Date | null;
  refreshAt: Date | null;
  fetchedAt: Date | null;
  lease: { owner: string; until: Date } | null;
}

const WECHAT_CREDENTIAL_MODEL = 'WeChatCredential';

const leaseSchema = new Schema<{ owner: string; until: Date }>(
  { owner: { type: String, required: true }, until: { type: Date, required: true } },
  { _id: false },
);

const schema = new Schema<WeChatCredentialDoc>(
  {
    _id: { type: String, required: true },
    appid: { type: String, required: true },
    kind: { type: String, required: true, enum: ['access_token', 'wx_card_ticket'] },
    // A secret: never logged, never returned by an API.
    value: { type: String, default: null },
    expiresAt: { type: Date, default: null },
    refreshAt: { type: Date, default: null },
    fetchedAt: { type: Date, default: null },
    lease: { type: leaseSchema, default: null },
  },
  {
    collection: 'wechat_credentials',
    versionKey: false,
    // No indexes besides _id: every query selects one document by _id.
    autoIndex: false,
    // The collection comes into being with the first insert. An explicit createCollection (what
    // autoCreate sends when the model is compiled) racing the first insert into the same new
    // collection from another connection deadlocks SecantusDB 0.7.0b3 as a whole: seen here on a
    // cold start, with every process compiling the model while another already inserts.
    autoCreate: false,
  },
);

export function credentialId(appid: string, kind: CredentialKind): string {
  return `${appid}/${kind}`;
}

/** The model on this connection, registered once. */
export function wechatCredentialModel(connection: Connection): Model<WeChatCredentialDoc> {
  const existing = connection.models[WECHAT_CREDENTIAL_MODEL] as Model<WeChatCredentialDoc> | undefined;
  return existing ?? connection.model<WeChatCredentialDoc>(WECHAT_CREDENTIAL_MODEL, schema);
}

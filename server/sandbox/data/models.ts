import { Schema, type Connection } from 'mongoose';
import { invoiceModels } from './invoice-models';

/**
 * The sandbox's own state, in a database of its own. Every collection is small; indexes name the
 * lookups they serve.
 */

/** An app (Mini Program / Official Account) the sandbox knows: credentials and where pushes go. */
export interface SandboxApp {
  appid: string;
  secret: string;
  /** gh_… original id: the ToUserName of pushes. */
  originalId: string;
  push?: {
    url: string;
    token: string;
    /** 43-char EncodingAESKey: pushes are encrypted (safe mode) when set. */
    aesKey?: string | undefined;
    mode: 'plain' | 'compatible' | 'safe';
    format: 'xml' | 'json';
  } | undefined;
  /** Official Account, Mini Program, or Open Platform mobile app (default: as a Mini Program). */
  kind?: 'mini_program' | 'official_account' | 'app';
  /** Pushes for this app go to that app's push URL (a mobile app's go to the merchant's Official Account). */
  pushVia?: string;
  /**
   * The Open Platform account the app is bound to: apps sharing one get the same unionid for a
   * user (jscode2session, web authorization). Unset: no unionid, as for an unbound account.
   */
  openPlatform?: string;
}

/** A web-authorization code (/connect/oauth2/authorize → redirect_uri?code=): single use, 5 minutes. */
export interface SandboxOAuthCode {
  code: string;
  appid: string;
  /** The sandbox user name, as in wx.login codes ("alice"). */
  user: string;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

export interface SandboxAccessToken {
  value: string;
  appid: string;
  /** 'token' from /cgi-bin/token, 'stable' from /cgi-bin/stable_token: the two never affect each other. */
  kind: 'token' | 'stable';
  createdAt: Date;
  expiresAt: Date;
  /** Set on stable tokens issued by force_refresh, to enforce WeChat's 30 s spacing and daily limit. */
  forced?: boolean;
}

export interface SandboxTicket {
  value: string;
  appid: string;
  type: 'wx_card' | 'jsapi';
  createdAt: Date;
  expiresAt: Date;
}

/** A wx.login code: single use, short-lived. */
export interface SandboxLoginCode {
  code: string;
  appid: string;
  usedAt: Date;
}

/** A counter: calls per endpoint, token and ticket fetches. */
export interface SandboxCounter {
  _id: string;
  n: number;
}

/** Fault switches, one document: see control/faults.ts. */
export interface SandboxFaultsDoc {
  _id: 'faults';
  endpoints: Record<string, { errorRate?: number; errcode?: number; delayMs?: number; delayRate?: number }>;
  push: { duplicates?: number; dropRate?: number };
}

export function sandboxModels(db: Connection) {
  const app = new Schema<SandboxApp>(
    {
      appid: { type: String, required: true },
      secret: { type: String, required: true },
      originalId: { type: String, required: true },
      push: {
        type: new Schema(
          { url: String, token: String, aesKey: String, mode: String, format: String },
          { _id: false },
        ),
        required: false,
      },
      kind: String,
      pushVia: String,
      openPlatform: String,
    },
    { collection: 'apps' },
  );
  app.index({ appid: 1 }, { unique: true }); // every request names its app

  const accessToken = new Schema<SandboxAccessToken>(
    {
      value: { type: String, required: true },
      appid: { type: String, required: true },
      kind: { type: String, required: true },
      createdAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      forced: Boolean,
    },
    { collection: 'access_tokens' },
  );
  accessToken.index({ value: 1 }, { unique: true }); // validating ?access_token=
  accessToken.index({ appid: 1, kind: 1, createdAt: -1 }); // the newest token of an app

  const ticket = new Schema<SandboxTicket>(
    {
      value: { type: String, required: true },
      appid: { type: String, required: true },
      type: { type: String, required: true },
      createdAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
    },
    { collection: 'tickets' },
  );
  ticket.index({ value: 1 }, { unique: true }); // validating a ticket sent to getauthurl
  ticket.index({ appid: 1, type: 1, createdAt: -1 }); // the current ticket of an app

  const loginCode = new Schema<SandboxLoginCode>(
    { code: { type: String, required: true }, appid: { type: String, required: true }, usedAt: { type: Date, required: true } },
    { collection: 'login_codes' },
  );
  loginCode.index({ appid: 1, code: 1 }, { unique: true }); // a code works once

  const oauthCode = new Schema<SandboxOAuthCode>(
    {
      code: { type: String, required: true },
      appid: { type: String, required: true },
      user: { type: String, required: true },
      scope: { type: String, required: true },
      createdAt: { type: Date, required: true },
      expiresAt: { type: Date, required: true },
      usedAt: Date,
    },
    { collection: 'oauth_codes' },
  );
  oauthCode.index({ code: 1 }, { unique: true }); // the code exchange

  const counter = new Schema<SandboxCounter>({ _id: String, n: { type: Number, required: true } }, { collection: 'counters' });
  const faults = new Schema<SandboxFaultsDoc>(
    { _id: String, endpoints: { type: Schema.Types.Mixed, default: {} }, push: { type: Schema.Types.Mixed, default: {} } },
    { collection: 'faults', minimize: false },
  );
  // The behaviour switches (control/behaviour.ts), one document; `value` is what was set.
  const behaviour = new Schema<{ _id: string; value: unknown }>(
    { _id: String, value: { type: Schema.Types.Mixed, default: {} } },
    { collection: 'behaviour', minimize: false },
  );

  return {
    App: db.model('SandboxApp', app),
    AccessToken: db.model('SandboxAccessToken', accessToken),
    Ticket: db.model('SandboxTicket', ticket),
    LoginCode: db.model('SandboxLoginCode', loginCode),
    OAuthCode: db.model('SandboxOAuthCode', oauthCode),
    Counter: db.model('SandboxCounter', counter),
    Faults: db.model('SandboxFaults', faults),
    Behaviour: db.model('SandboxBehaviour', behaviour),
    ...invoiceModels(db),
  };
}

export type SandboxModels = ReturnType<typeof sandboxModels>;

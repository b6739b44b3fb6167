import { Schema, type Connection, type Model } from 'mongoose';
import type { HistoryEntry, InvoiceRequestDoc, InvoiceTitle, IssuedInvoice, WeChatAnswer } from '../../domain/entities/invoice-request';

const invoiceSchema = new Schema<IssuedInvoice>(
  { fpdm: String, fphm: String, jym: String, kprq: String, pdfUrl: String },
  { _id: false },
);

const answerSchema = new Schema<WeChatAnswer>({ at: Date, call: String, errcode: Number, summary: String }, { _id: false });

const schema = new Schema<InvoiceRequestDoc>(
  {
    _id: { type: String, required: true },
    orderNo: { type: String, required: true },
    openid: { type: String, required: false },
    unionid: String,
    account: String,
    appid: String,
    source: String,
    sPappid: String,
    redirectUrl: String,
    callback: {
      type: new Schema({ url: String, sentStatus: String, failures: Number, lastError: String }, { _id: false }),
      required: false,
    },
    wxOrderId: { type: String, required: true },
    type: { type: Number, required: true },
    amount: { type: Number, required: true },
    status: { type: String, required: true },
    history: {
      type: [new Schema<HistoryEntry>({ from: String, to: String, event: String, at: Date, by: String, detail: String }, { _id: false })],
      default: [],
    },
    title: {
      type: new Schema<InvoiceTitle>(
        {
          kind: String,
          name: String,
          taxNumber: String,
          address: String,
          phone: String,
          bankName: String,
          bankAccount: String,
          email: String,
          customFields: { type: [new Schema({ key: String, value: String }, { _id: false })], default: undefined },
        },
        { _id: false },
      ),
      required: false,
    },
    fpqqlsh: { type: String, required: true },
    invoice: { type: invoiceSchema, required: false },
    offset: { type: new Schema({ fpqqlsh: String, invoice: invoiceSchema }, { _id: false }), required: false },
    rejectReason: String,
    lastError: { type: new Schema({ code: String, message: String, at: Date }, { _id: false }), required: false },
    createdAt: { type: Date, required: true },
    authorizedAt: Date,
    authDeadline: Date,
    nextActionAt: Date,
    attempts: { type: Number, required: true, default: 0 },
    lease: { type: new Schema({ owner: String, until: Date }, { _id: false }), required: false },
    outcomeUnknown: Boolean,
    wake: Boolean,
    attention: { type: new Schema({ code: String, reason: String, state: String, since: Date, at: Date, answers: [answerSchema] }, { _id: false }), required: false },
    needsAttention: Boolean,
    answers: { type: [answerSchema], default: undefined },
    looks: { type: new Schema({ state: String, n: Number, since: Date }, { _id: false }), required: false },
    copyPending: Boolean,
  },
  { collection: 'invoice_requests', _id: false },
);
// Pushes and getauthdata name the WeChat order_id.
schema.index({ wxOrderId: 1 }, { unique: true });
// Result pushes and queryinvoceinfo name the fpqqlsh; WeChat also rejects a reused one.
schema.index({ fpqqlsh: 1 }, { unique: true });
// A red invoice's result push and query name its own fpqqlsh.
schema.index({ 'offset.fpqqlsh': 1 });
// The copy sweep: issued requests whose copy was not queued (normally none).
schema.index({ copyPending: 1 }, { sparse: true });
// The worker's claim: due requests, oldest due first.
schema.index({ nextActionAt: 1 });
// An order's requests (latest first; an order has a handful, so the _id tie-break sorts in memory).
schema.index({ orderNo: 1, createdAt: -1 });
// Ops' list and reconcile by status, newest first, paged by (createdAt, _id) and dated by createdAt.
schema.index({ status: 1, createdAt: -1, _id: -1 });
// Ops' list of the requests that need a human, the same way.
schema.index({ needsAttention: 1, createdAt: -1, _id: -1 });
// Ops' list of every state, the same way.
schema.index({ createdAt: -1, _id: -1 });

export type InvoiceRequestModel = Model<InvoiceRequestDoc>;

export function invoiceRequestModel(db: Connection): InvoiceRequestModel {
  return (db.models.InvoiceRequest as InvoiceRequestModel | undefined) ?? db.model<InvoiceRequestDoc>('InvoiceRequest', schema);
}

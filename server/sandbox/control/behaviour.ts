import { z } from 'zod';
import type { SandboxContext } from '../context';

/**
 * How the sandbox answers where WeChat's documents are silent (docs/wechat-behaviour.md has one
 * row per switch). Each switch has the behaviour we think most likely as its default and at least
 * one plausible alternative, so tests can run Fapiao against each. The sandbox states WeChat's
 * behaviour on its own: nothing here comes from the merchant client.
 *
 * Set through the machine API (`PUT /sandbox/api/behaviour`, what is not given returns to its
 * default) or at start from `SANDBOX_BEHAVIOUR` (the same JSON).
 */
export const behaviourInput = z
  .object({
    /**
     * queryinvoceinfo for an fpqqlsh that is still processing, or whose issuing failed:
     * `errcodes` (default): an error, `processingErrcode` / `failedErrcode`;
     * `empty-success`: errcode 0 with an invoicedetail whose numbers are empty strings.
     */
    outcomeQuery: z.enum(['errcodes', 'empty-success']).optional(),
    /** Default 73107 ("Fpqqlsh is processing"). */
    processingErrcode: z.number().int().optional(),
    /** Default 73000 ("make out invoice failed"). */
    failedErrcode: z.number().int().optional(),
    /** queryinvoceinfo for an fpqqlsh WeChat never saw. Default 72031 (invalid params). */
    unknownFpqqlshErrcode: z.number().int().optional(),
    /** cloud_invoice_invoiceresult_event: `sent` (default) or `never`. */
    resultPushes: z.enum(['sent', 'never']).optional(),
    /** getauthurl's answer to a ticket that is not the app's current one. Default 40097 (invalid args). */
    ticketRejectedErrcode: z.number().int().optional(),
    /** seturl's s_pappid: `plain` (default: base64 without + / =) or `base64-specials` (with them, raw in invoice_url). */
    sPappid: z.enum(['plain', 'base64-specials']).optional(),
    /**
     * makeoutinvoice / clearoutinvoice sent again with the fpqqlsh of a failed invoice: `reusable`
     * (default: a new issuing round) or `refused` (`fpqqlshRefusedErrcode`, default 73106).
     */
    fpqqlshAfterFailure: z.enum(['reusable', 'refused']).optional(),
    fpqqlshRefusedErrcode: z.number().int().optional(),
    /** getauthdata's invoice_status for a declined authorization. Default "auth fail". */
    declinedStatus: z.string().min(1).max(40).optional(),
    /** Push delivery: `retries` (default: the first send and pushRetries more) or `sends` (pushRetries sends in all). */
    pushAttempts: z.enum(['retries', 'sends']).optional(),
    /** kplx (0 blue, 1 red) on makeoutinvoice / clearoutinvoice: `checked` (default: a wrong one is 72031) or `required` (missing is 73004). */
    kplx: z.enum(['checked', 'required']).optional(),
    /** Custom-field keys longer than this are refused by set_auth_field (72031). Default 5, as the field table says. */
    customFieldKeyMax: z.number().int().min(1).max(100).optional(),
    /** Apps WeChat has not enabled for invoicing: every /card/invoice call answers 48001. */
    appidsWithoutInvoicing: z.array(z.string()).max(100).optional(),
    /** Apps with no invoicing package chosen in their backend: makeoutinvoice / clearoutinvoice answer 72015. */
    appidsWithoutInvoicingPackage: z.array(z.string()).max(100).optional(),
  })
  .strict();
export type BehaviourInput = z.infer<typeof behaviourInput>;

export interface Behaviour {
  outcomeQuery: 'errcodes' | 'empty-success';
  processingErrcode: number;
  failedErrcode: number;
  unknownFpqqlshErrcode: number;
  resultPushes: 'sent' | 'never';
  ticketRejectedErrcode: number;
  sPappid: 'plain' | 'base64-specials';
  fpqqlshAfterFailure: 'reusable' | 'refused';
  fpqqlshRefusedErrcode: number;
  declinedStatus: string;
  pushAttempts: 'retries' | 'sends';
  kplx: 'checked' | 'required';
  customFieldKeyMax: number;
  appidsWithoutInvoicing: string[];
  appidsWithoutInvoicingPackage: string[];
}

const DEFAULT_BEHAVIOUR: Behaviour = {
  outcomeQuery: 'errcodes',
  processingErrcode: 73107,
  failedErrcode: 73000,
  unknownFpqqlshErrcode: 72031,
  resultPushes: 'sent',
  ticketRejectedErrcode: 40097,
  sPappid: 'plain',
  fpqqlshAfterFailure: 'reusable',
  fpqqlshRefusedErrcode: 73106,
  declinedStatus: 'auth fail',
  pushAttempts: 'retries',
  kplx: 'checked',
  customFieldKeyMax: 5,
  appidsWithoutInvoicing: [],
  appidsWithoutInvoicingPackage: [],
};

/** Same caching as the fault switches: a copy younger than this spares a read per call. */
const COPY_MS = 1_000;
const copies = new WeakMap<SandboxContext['models'], { behaviour: Behaviour; at: number }>();

export async function readBehaviour(sb: SandboxContext): Promise<Behaviour> {
  const copy = copies.get(sb.models);
  if (copy && Date.now() - copy.at < COPY_MS) return copy.behaviour;
  const doc = await sb.models.Behaviour.findById('behaviour').lean();
  // Stored as validated: keys left out, never set to undefined.
  const behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...(doc?.value as Partial<Behaviour> | undefined) };
  copies.set(sb.models, { behaviour, at: Date.now() });
  return behaviour;
}

/** Replaces the switches: what is not given returns to its default. */
export async function setBehaviour(sb: SandboxContext, input: BehaviourInput): Promise<Behaviour> {
  await sb.models.Behaviour.updateOne({ _id: 'behaviour' }, { $set: { value: input } }, { upsert: true });
  copies.delete(sb.models);
  return readBehaviour(sb);
}

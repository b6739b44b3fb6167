import type { AuthFieldsSetting, ContactSetting, PayMchSetting, SettingView } from '@fapiao/shared/contract';
import type { SettingDoc, SettingsRepository } from '../data/settings/settings.schema';
import { type InvoiceApi } from '../wechat';
import { AppError } from '../errors';
import { recordAudit, type AuditDeps } from './audit';
import { askWeChat } from './wechat-failure';

export type { AuthFieldsSetting, ContactSetting, PayMchSetting, SettingView };

export interface SettingsDeps extends AuditDeps {
  /** The default account's API: what the GETs read. */
  invoice: InvoiceApi;
  /**
   * Every account that asks for authorization URLs: WeChat keeps contact and auth fields per
   * account (72063 / 72029 otherwise), so the PUTs set them on each. The pay merchant goes to
   * the Official Account that receives post-payment authorizations (`payMchAccount`).
   */
  accounts: { name: string; invoice: InvoiceApi }[];
  payMchAccount: { name: string; invoice: InvoiceApi };
  settings: SettingsRepository;
}

/** WeChat refusing the values themselves: invalid mchid (72030), invalid params (72031). */
const BAD_VALUES = new Set([72030, 72031]);

/** "Not set yet" answers of get_contact (72063), get_auth_field (72029), get_pay_mch (72028). */
const NOT_SET = new Set([72063, 72029, 72028]);

/** The contact WeChat requires before it hands out any authorization URL (72063). */
export async function getContact(deps: SettingsDeps): Promise<SettingView<ContactSetting>> {
  const answer = await readFromWeChat(() => deps.invoice.getContact());
  return view(answer ? { phone: answer.contact.phone, timeOut: answer.contact.time_out } : null, await deps.settings.get('contact'));
}

export async function putContact(deps: SettingsDeps, contact: ContactSetting, actor: string): Promise<SettingView<ContactSetting>> {
  for (const account of deps.accounts) {
    await writeToWeChat(() => account.invoice.setContact({ contact: { phone: contact.phone, time_out: contact.timeOut } }));
  }
  await record(deps, 'contact', { phone: contact.phone, time_out: contact.timeOut }, actor);
  return getContact(deps);
}

/** Which title fields WeChat's type 1 page shows and requires. */
export async function getAuthFields(deps: SettingsDeps): Promise<SettingView<AuthFieldsSetting>> {
  const answer = await readFromWeChat(() => deps.invoice.getAuthField());
  const fields = answer?.auth_field;
  return view(fields ? ({ user_field: fields.user_field ?? {}, biz_field: fields.biz_field ?? {} } as AuthFieldsSetting) : null, await deps.settings.get('auth-fields'));
}

export async function putAuthFields(deps: SettingsDeps, fields: AuthFieldsSetting, actor: string): Promise<SettingView<AuthFieldsSetting>> {
  for (const account of deps.accounts) await writeToWeChat(() => account.invoice.setAuthField({ auth_field: fields }));
  await record(deps, 'auth-fields', { ...fields }, actor);
  return getAuthFields(deps);
}

/** The WeChat Pay merchant linked to the invoicing platform (post-payment invoicing). */
export async function getPayMch(deps: SettingsDeps): Promise<SettingView<PayMchSetting>> {
  const answer = await readFromWeChat(() => deps.payMchAccount.invoice.getPayMch());
  const info = answer?.paymch_info;
  return view(info ? { mchid: info.mchid, s_pappid: info.s_pappid } : null, await deps.settings.get('pay-mch'));
}

export async function putPayMch(deps: SettingsDeps, payMch: PayMchSetting, actor: string): Promise<SettingView<PayMchSetting>> {
  await writeToWeChat(() => deps.payMchAccount.invoice.setPayMch({ paymch_info: payMch }));
  await record(deps, 'pay-mch', { ...payMch }, actor);
  return getPayMch(deps);
}

/**
 * A setting WeChat refuses for its values is the caller's input failing validation (400), not
 * WeChat failing (502): the same request will never pass, and ops should fix the values.
 */
async function writeToWeChat<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await askWeChat(write);
  } catch (err) {
    const errcode = (err as { details?: { errcode?: number } }).details?.errcode;
    if (err instanceof AppError && errcode !== undefined && BAD_VALUES.has(errcode)) {
      throw new AppError('VALIDATION_FAILED', `Invalid body: WeChat refused these values (${errcode}): ${err.message.replace(/^WeChat refused \(\d+\): /, '')}`, { errcode });
    }
    throw err;
  }
}

async function readFromWeChat<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await askWeChat(read);
  } catch (err) {
    const errcode = (err as { details?: { errcode?: number } }).details?.errcode;
    if (errcode !== undefined && NOT_SET.has(errcode)) return null;
    throw err;
  }
}

async function record(deps: SettingsDeps, key: SettingDoc['_id'], value: Record<string, unknown>, actor: string): Promise<void> {
  await deps.settings.put(key, value, actor, deps.now());
  await recordAudit(deps, { actor, action: `settings.${key}`, target: `settings:${key}`, detail: value });
}

function view<T>(value: T | null, stored: SettingDoc | null): SettingView<T> {
  return { value, ...(stored ? { updatedAt: stored.updatedAt.toISOString(), updatedBy: stored.updatedBy } : {}) };
}

import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import type { AuthFieldCustomSetting, AuthFieldSettings } from '../data/invoice-models';
import { fail } from '../reply';
import { invalidParams, isEmpty, isObject, objectBody, requiredText, type Json } from './fields';
import { ensureMerchant, loadMerchant, registrantOf } from './merchant';

/**
 * POST /card/invoice/setbizattr?action=…: the merchant's authorization-page fields, its WeChat Pay
 * merchant link and its contact. A get_* before the matching set_* fails with the code WeChat uses
 * for "never set": 72029 (auth field), 72028 (pay mch), 72063 (contact).
 */
export async function setBizAttr(sb: SandboxContext, appid: string, action: unknown, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  const ok = { errcode: 0, errmsg: 'ok' };
  const merchant = () => loadMerchant(sb, appid);
  const save = async (set: Json) => {
    await ensureMerchant(sb, appid);
    await sb.models.Merchant.updateOne({ appid }, { $set: set });
  };
  switch (action) {
    case 'set_auth_field':
      await save({ authField: parseAuthField(body.auth_field, (await readBehaviour(sb)).customFieldKeyMax) });
      return ok;
    case 'get_auth_field': {
      const { authField } = await merchant();
      if (!authField) fail(72029);
      return { ...ok, auth_field: authField };
    }
    case 'set_pay_mch':
      await save({ payMch: await parsePayMch(sb, body.paymch_info) });
      return ok;
    case 'get_pay_mch': {
      const { payMch } = await merchant();
      if (!payMch) fail(72028);
      return { ...ok, paymch_info: payMch };
    }
    case 'set_contact':
      await save({ contact: parseContact(body.contact) });
      return ok;
    case 'get_contact': {
      const { contact } = await merchant();
      if (!contact) fail(72063);
      return { ...ok, contact };
    }
    default:
      return fail(40097, 'invalid args: unknown action');
  }
}

const USER_FLAGS = ['show_title', 'show_phone', 'show_email', 'require_phone', 'require_email'];
const BIZ_FLAGS = [
  'show_title',
  'show_tax_no',
  'show_addr',
  'show_phone',
  'show_bank_type',
  'show_bank_no',
  'require_tax_no',
  'require_addr',
  'require_phone',
  'require_bank_type',
  'require_bank_no',
];

/** auth_field {user_field, biz_field}: both objects (the documents mark both required), flags 0/1. */
function parseAuthField(value: unknown, keyMax: number): AuthFieldSettings {
  if (!isObject(value)) invalidParams('auth_field must be an object');
  return { user_field: parseSide(value.user_field, 'user_field', USER_FLAGS, keyMax), biz_field: parseSide(value.biz_field, 'biz_field', BIZ_FLAGS, keyMax) };
}

/** Known flags and custom_field are kept; names WeChat does not know are ignored, as its parser does. */
function parseSide(value: unknown, name: string, flags: readonly string[], keyMax: number): AuthFieldSettings['user_field'] {
  if (!isObject(value)) invalidParams(`auth_field.${name} must be an object`);
  const side: AuthFieldSettings['user_field'] = {};
  for (const flag of flags) {
    const v = value[flag];
    if (v === undefined) continue;
    if (v !== 0 && v !== 1) invalidParams(`${name}.${flag} must be 0 or 1`);
    side[flag] = v;
  }
  if (value.custom_field !== undefined) side.custom_field = parseCustomFields(value.custom_field, name, keyMax);
  return side;
}

/** The field table: "Custom field name with a maximum length of 5 characters" (its own sample breaks it). */
function parseCustomFields(value: unknown, side: string, keyMax: number): AuthFieldCustomSetting[] {
  if (!Array.isArray(value)) invalidParams(`${side}.custom_field must be a list`);
  const seen = new Set<string>();
  return value.map((item: unknown) => {
    if (!isObject(item) || typeof item.key !== 'string' || isEmpty(item.key)) invalidParams(`${side}.custom_field needs a key`);
    if ([...item.key].length > keyMax) invalidParams(`${side}.custom_field key ${item.key} is longer than ${keyMax} characters`);
    if (seen.has(item.key)) invalidParams(`${side}.custom_field key ${item.key} is repeated`);
    seen.add(item.key);
    const field: AuthFieldCustomSetting = { key: item.key };
    if (item.is_require !== undefined) {
      if (item.is_require !== 0 && item.is_require !== 1) invalidParams(`${side}.custom_field.is_require must be 0 or 1`);
      field.is_require = item.is_require;
    }
    if (item.notice !== undefined) {
      if (typeof item.notice !== 'string') invalidParams(`${side}.custom_field.notice must be a string`);
      field.notice = item.notice;
    }
    return field;
  });
}

/** paymch_info {mchid: digits (else 72030), s_pappid: one seturl issued}. */
async function parsePayMch(sb: SandboxContext, value: unknown): Promise<{ mchid: string; s_pappid: string }> {
  if (!isObject(value)) invalidParams('paymch_info must be an object');
  if (typeof value.mchid !== 'string' || !/^\d{1,32}$/.test(value.mchid)) fail(72030);
  const s_pappid = requiredText(value, 's_pappid');
  if (!(await registrantOf(sb, s_pappid))) invalidParams('unknown s_pappid');
  return { mchid: value.mchid, s_pappid };
}

/**
 * contact {phone, time_out}: time_out must be a JSON integer (https://github.com/binarywang/WxJava/issues/1898:
 * serialising it wrongly is a known cause of errors), phone a non-empty string.
 */
function parseContact(value: unknown): { phone: string; time_out: number } {
  if (!isObject(value)) invalidParams('contact must be an object');
  const phone = requiredText(value, 'phone');
  const timeOut = value.time_out;
  if (typeof timeOut !== 'number' || !Number.isSafeInteger(timeOut) || timeOut <= 0) invalidParams('contact.time_out must be a positive integer');
  return { phone, time_out: timeOut };
}

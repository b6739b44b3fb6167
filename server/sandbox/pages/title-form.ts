import type { AuthFieldSettings } from '../data/invoice-models';

/**
 * The title form of a type 1 authorization page (填写发票抬头): which inputs a side (个人 / 单位)
 * shows per the merchant's set_auth_field, the zh-CN checks the page makes before it submits, and
 * the user_field / biz_field it hands to the authorization use case. The use case
 * (invoice/auth-fields.ts) checks shown/required again and is what decides; the page only adds
 * messages a person can read and a few format checks.
 */

export type TitleKind = 'user' | 'biz';

export interface FieldSpec {
  /** The form control's name: the WeChat field name, or `custom:<key>` for a custom field. */
  name: string;
  label: string;
  required: boolean;
  inputType: 'text' | 'email' | 'tel';
  inputMode?: 'numeric';
  placeholder: string;
  /** The merchant's notice (custom fields). */
  notice?: string;
  /** Custom fields: the key reported in custom_field. */
  customKey?: string;
}

interface Builtin {
  field: string;
  label: string;
  inputType: FieldSpec['inputType'];
  inputMode?: 'numeric';
  hint: string;
}

const BUILTIN: Record<TitleKind, readonly Builtin[]> = {
  user: [
    { field: 'phone', label: '手机号', inputType: 'tel', hint: '手机号码' },
    { field: 'email', label: '邮箱', inputType: 'email', hint: '用于接收电子发票' },
  ],
  biz: [
    { field: 'tax_no', label: '税号', inputType: 'text', hint: '纳税人识别号' },
    { field: 'addr', label: '单位地址', inputType: 'text', hint: '单位注册地址' },
    { field: 'phone', label: '电话号码', inputType: 'tel', hint: '单位电话' },
    { field: 'bank_type', label: '开户银行', inputType: 'text', hint: '开户银行名称' },
    { field: 'bank_no', label: '银行账号', inputType: 'text', inputMode: 'numeric', hint: '银行账号' },
  ],
};

export const KIND_LABEL: Record<TitleKind, string> = { user: '个人', biz: '单位' };

/** The inputs of one side, in page order: title, the shown built-in fields, the custom fields. */
export function fieldsOf(settings: AuthFieldSettings, kind: TitleKind): FieldSpec[] {
  const side = kind === 'user' ? settings.user_field : settings.biz_field;
  const fields: FieldSpec[] = [
    { name: 'title', label: '名称', required: true, inputType: 'text', placeholder: kind === 'user' ? '个人姓名（必填）' : '单位名称（必填）' },
  ];
  for (const b of BUILTIN[kind]) {
    const required = side[`require_${b.field}`] === 1;
    if (!required && side[`show_${b.field}`] !== 1) continue;
    fields.push({
      name: b.field,
      label: b.label,
      required,
      inputType: b.inputType,
      ...(b.inputMode ? { inputMode: b.inputMode } : {}),
      placeholder: `${b.hint}${required ? '（必填）' : '（选填）'}`,
    });
  }
  const custom = Array.isArray(side.custom_field) ? (side.custom_field) : [];
  for (const c of custom) {
    const required = c.is_require === 1;
    fields.push({
      name: `custom:${c.key}`,
      label: c.key,
      required,
      inputType: 'text',
      placeholder: c.notice ? c.notice : required ? '必填' : '选填',
      ...(c.notice ? { notice: c.notice } : {}),
      customKey: c.key,
    });
  }
  return fields;
}

const MAX_CHARS = 100;

/** Formats the page checks on top of "required" (the sandbox's makeoutinvoice takes the same tax numbers). */
const FORMATS: Record<string, { pattern: RegExp; message: string }> = {
  email: { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: '邮箱格式不正确' },
  tax_no: { pattern: /^[0-9A-Z]{15,20}$/, message: '税号应为 15 到 20 位数字或大写字母' },
  phone: { pattern: /^[0-9+\-()\s]{3,30}$/, message: '电话号码只能包含数字、空格和 + - ( )' },
  bank_no: { pattern: /^[0-9\s-]{4,40}$/, message: '银行账号只能包含数字' },
};

/** zh-CN messages per field name; empty when the page has nothing to say. */
export function checkTitle(fields: readonly FieldSpec[], values: ReadonlyMap<string, string>): Map<string, string> {
  const errors = new Map<string, string>();
  for (const f of fields) {
    const value = (values.get(f.name) ?? '').trim();
    if (!value) {
      if (f.required) errors.set(f.name, `请填写${f.label}`);
      continue;
    }
    if (value.length > MAX_CHARS) {
      errors.set(f.name, `${f.label}不能超过 ${MAX_CHARS} 个字`);
      continue;
    }
    const format = f.customKey === undefined ? FORMATS[f.name] : undefined;
    if (format && !format.pattern.test(value)) errors.set(f.name, format.message);
  }
  return errors;
}

/** What the use case takes: `{user_field}` or `{biz_field}` with the page's inputs. */
export function enteredTitle(kind: TitleKind, fields: readonly FieldSpec[], values: ReadonlyMap<string, string>): { user_field?: unknown; biz_field?: unknown } {
  const entered: Record<string, unknown> = {};
  const custom: { key: string; value: string }[] = [];
  for (const f of fields) {
    const value = values.get(f.name) ?? '';
    if (f.customKey === undefined) entered[f.name] = value;
    else custom.push({ key: f.customKey, value });
  }
  if (custom.length > 0) entered.custom_field = custom;
  return kind === 'user' ? { user_field: entered } : { biz_field: entered };
}

import type { AuthFieldCustomSetting, AuthFieldSettings, UserAuthInfo } from '../data/invoice-models';
import { problem } from './api-problem';
import { isObject } from './fields';

/**
 * What a user may enter on a type 1 authorization page, per the merchant's set_auth_field: the
 * title always; every other field only when shown (show_x or require_x is 1) and then it must be
 * filled when required (require_x); custom fields only those declared, the is_require ones filled.
 * Exactly one of user_field (personal title) and biz_field (company title).
 */

const SIDES = {
  user_field: ['phone', 'email'],
  biz_field: ['tax_no', 'addr', 'phone', 'bank_type', 'bank_no'],
} as const;
type Side = keyof typeof SIDES;

export function validateEnteredTitle(settings: AuthFieldSettings, input: { user_field?: unknown; biz_field?: unknown }): UserAuthInfo {
  const given = (Object.keys(SIDES) as Side[]).filter((side) => input[side] !== undefined);
  if (given.length !== 1) problem(400, 'VALIDATION_FAILED', 'a type 1 authorization needs exactly one of user_field and biz_field');
  const side = given[0] as Side;
  return { [side]: validateSide(side, settings[side], input[side]) };
}

function validateSide(side: Side, settings: AuthFieldSettings[Side], value: unknown): NonNullable<UserAuthInfo[Side]> {
  if (!isObject(value)) problem(400, 'VALIDATION_FAILED', `${side} must be an object`);
  const known = new Set<string>(['title', 'custom_field', ...SIDES[side]]);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) problem(400, 'VALIDATION_FAILED', `${side} has fields the page does not have: ${unknown.join(', ')}`);

  const entered: NonNullable<UserAuthInfo[Side]> = { title: text(side, 'title', value.title) };
  if (!entered.title) problem(400, 'FIELD_REQUIRED', `${side}.title is required`);
  for (const field of SIDES[side]) {
    const v = text(side, field, value[field]);
    const required = settings[`require_${field}`] === 1;
    const shown = required || settings[`show_${field}`] === 1;
    if (v && !shown) problem(400, 'FIELD_NOT_SHOWN', `${side}.${field} is not on this merchant's page (set_auth_field)`);
    if (!v && required) problem(400, 'FIELD_REQUIRED', `${side}.${field} is required by this merchant (set_auth_field)`);
    if (v) entered[field] = v;
  }
  const custom = customValues(side, settings.custom_field, value.custom_field);
  if (custom.length > 0) entered.custom_field = custom;
  return entered;
}

function text(side: Side, field: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') problem(400, 'VALIDATION_FAILED', `${side}.${field} must be a string`);
  return value.trim();
}

function customValues(side: Side, declaredRaw: unknown, value: unknown): { key: string; value: string }[] {
  const declared = Array.isArray(declaredRaw) ? (declaredRaw as AuthFieldCustomSetting[]) : [];
  if (value !== undefined && !Array.isArray(value)) problem(400, 'VALIDATION_FAILED', `${side}.custom_field must be a list of {key, value}`);
  const values: { key: string; value: string }[] = [];
  for (const item of (value ?? []) as unknown[]) {
    if (!isObject(item) || typeof item.key !== 'string' || typeof item.value !== 'string') {
      problem(400, 'VALIDATION_FAILED', `${side}.custom_field must be a list of {key, value} strings`);
    }
    if (!declared.some((d) => d.key === item.key)) problem(400, 'FIELD_NOT_SHOWN', `${side}.custom_field ${item.key} is not declared`);
    if (values.some((v) => v.key === item.key)) problem(400, 'VALIDATION_FAILED', `${side}.custom_field ${item.key} is repeated`);
    if (item.value.trim()) values.push({ key: item.key, value: item.value.trim() });
  }
  for (const d of declared) {
    if (d.is_require === 1 && !values.some((v) => v.key === d.key)) problem(400, 'FIELD_REQUIRED', `${side}.custom_field ${d.key} is required`);
  }
  return values;
}

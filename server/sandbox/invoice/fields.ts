import { fail } from '../reply';

/**
 * Reading WeChat request bodies the way its backend does: strings must be strings, an absent,
 * null or blank value is "empty" (the 73xxx "... empty" codes), anything else malformed is 72031.
 */

export type Json = Record<string, unknown>;

/** The body as an object; 47001 (data format error) otherwise, like every WeChat POST endpoint. */
export function objectBody(body: unknown): Json {
  if (!isObject(body)) fail(47001);
  return body;
}

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** 72031 with a hint of what is wrong (WeChat's own errmsg is just "invalid params"). */
export function invalidParams(detail: string): never {
  fail(72031, `invalid params: ${detail}`);
}

/** A required string: `emptyCode` when empty, 72031 when not a string. */
export function requiredText(obj: Json, name: string, emptyCode = 72031): string {
  const value = obj[name];
  if (isEmpty(value)) fail(emptyCode, emptyCode === 72031 ? `invalid params: ${name} is empty` : undefined);
  if (typeof value !== 'string') invalidParams(`${name} must be a string`);
  return value;
}

/** An optional string: undefined when empty, 72031 when not a string. */
export function optionalText(obj: Json, name: string): string | undefined {
  const value = obj[name];
  if (isEmpty(value)) return undefined;
  if (typeof value !== 'string') invalidParams(`${name} must be a string`);
  return value;
}

/** An openid as WeChat issues them: 28 URL-safe characters. */
export function isOpenid(value: string): boolean {
  return /^[A-Za-z0-9_-]{28}$/.test(value);
}

import { z } from 'zod';

/**
 * A WeChat answer: the documented fields plus `errcode`/`errmsg` (absent on the token endpoints'
 * success, a string on seturl). Loose: undocumented fields pass through.
 */
export function wechatResult<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.looseObject({
    errcode: z.union([z.number(), z.string()]).optional(),
    errmsg: z.string().optional(),
    ...shape,
  });
}

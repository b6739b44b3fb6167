/**
 * The admin API's settings: what WeChat must know of the merchant (contact, title fields, the
 * WeChat Pay merchant), and the platform's seturl.
 */
import { z } from 'zod';
import { printableText } from './common';

// Platform and settings --------------------------------------------------------------------------

export const setUrlAnswer = z.object({ invoiceUrl: z.string(), sPappid: z.string().nullable() }).meta({ id: 'SetUrlAnswer' });
export type SetUrlAnswer = z.infer<typeof setUrlAnswer>;

const flag = z.union([z.literal(0), z.literal(1)]);
// WeChat's field table: "Custom field name with a maximum length of 5 characters".
const customFields = z
  .array(z.object({ key: printableText(5), is_require: flag.optional(), notice: printableText(50).optional() }).strict().meta({ id: 'CustomField' }))
  .max(10)
  .optional();

export const contactSetting = z
  .object({ phone: printableText(30, 3), timeOut: z.number().int().min(60).max(30 * 24 * 3600).describe('seconds a buyer has to authorize (WeChat’s time_out)') })
  .strict()
  .meta({ id: 'ContactSetting' });
export type ContactSetting = z.output<typeof contactSetting>;

export const authFieldsSetting = z
  .object({
    user_field: z
      .object({ show_title: flag.optional(), show_phone: flag.optional(), show_email: flag.optional(), require_phone: flag.optional(), require_email: flag.optional(), custom_field: customFields })
      .strict(),
    biz_field: z
      .object({
        show_title: flag.optional(),
        show_tax_no: flag.optional(),
        show_addr: flag.optional(),
        show_phone: flag.optional(),
        show_bank_type: flag.optional(),
        show_bank_no: flag.optional(),
        require_tax_no: flag.optional(),
        require_addr: flag.optional(),
        require_phone: flag.optional(),
        require_bank_type: flag.optional(),
        require_bank_no: flag.optional(),
        custom_field: customFields,
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'AuthFieldsSetting' });
export type AuthFieldsSetting = z.output<typeof authFieldsSetting>;
export type CustomField = NonNullable<AuthFieldsSetting['user_field']['custom_field']>[number];

export const payMchSetting = z
  .object({ mchid: z.string().regex(/^\d{8,12}$/, 'must be the WeChat Pay merchant id'), s_pappid: z.string().min(8).max(64) })
  .strict()
  .meta({ id: 'PayMchSetting' });
export type PayMchSetting = z.output<typeof payMchSetting>;

/** A setting as WeChat has it now (null: never set), and who last set it through Fapiao. */
export const settingView = <T extends z.ZodType>(value: T) =>
  z.object({ value: value.nullable(), updatedAt: z.string().optional(), updatedBy: z.string().optional() });
export interface SettingView<T> {
  value: T | null;
  updatedAt?: string;
  updatedBy?: string;
}

import type { BizAuthFieldSetting, UserAuthFieldSetting } from '../../wechat';

/** What each setting holds, in WeChat's own field names (what setbizattr was sent). */
export interface SettingValues {
  /** set_contact: the merchant's phone and the seconds a buyer has to authorize. */
  contact: { phone: string; time_out: number };
  /** set_auth_field: which title fields WeChat's type 1 page shows and requires. */
  'auth-fields': { user_field: UserAuthFieldSetting; biz_field: BizAuthFieldSetting };
  /** set_pay_mch: the WeChat Pay merchant linked to the invoicing platform. */
  'pay-mch': { mchid: string; s_pappid: string };
}

export type SettingKey = keyof SettingValues;

/**
 * The merchant's WeChat invoice settings as last set through Fapiao (contact, auth fields,
 * pay-merchant link). WeChat holds the authoritative copy; this one records who set what, when,
 * and lets the worker read the contact's time_out without asking WeChat each time.
 */
export interface SettingDoc<K extends SettingKey = SettingKey> {
  _id: K;
  value: SettingValues[K];
  updatedAt: Date;
  updatedBy: string;
}

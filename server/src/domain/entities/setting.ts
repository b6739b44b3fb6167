/**
 * The merchant's WeChat invoice settings as last set through Fapiao (contact, auth fields,
 * pay-merchant link). WeChat holds the authoritative copy; this one records who set what, when,
 * and lets the worker read the contact's time_out without asking WeChat each time.
 */
export interface SettingDoc {
  _id: 'contact' | 'auth-fields' | 'pay-mch';
  value: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string;
}

/** The invoice title form of the request page: what to send, or what to fix. */
import { normalizeTaxNumber, validateTaxNumber, type InvoiceTitleDto, type InvoiceTitleKind } from '@fapiao/shared';

export type FieldName = 'name' | 'taxNumber' | 'address' | 'phone' | 'bankName' | 'bankAccount' | 'email';

export interface TitleForm {
  name: string;
  taxNumber: string;
  address: string;
  phone: string;
  bankName: string;
  bankAccount: string;
  email: string;
}

export const EMPTY_FORM: TitleForm = { name: '', taxNumber: '', address: '', phone: '', bankName: '', bankAccount: '', email: '' };

const optional = (value: string) => (value.trim() ? value.trim() : undefined);

/** The title to send, or the form errors to show. Tax numbers are checked as the server does. */
export function buildTitle(kind: InvoiceTitleKind, form: TitleForm): { title?: InvoiceTitleDto; errors: { name: string; taxNumber: string } } {
  const errors = { name: '', taxNumber: '' };
  const name = form.name.trim();
  if (!name) errors.name = kind === 'company' ? '请填写单位名称' : '请填写个人姓名';
  if (kind === 'personal') {
    if (errors.name) return { errors };
    return { title: { kind: 'personal', name, phone: optional(form.phone), email: optional(form.email) }, errors };
  }
  const taxNumber = normalizeTaxNumber(form.taxNumber);
  const check = validateTaxNumber(taxNumber);
  if (!check.ok) errors.taxNumber = check.message;
  if (errors.name || errors.taxNumber) return { errors };
  return {
    title: {
      kind: 'company',
      name,
      taxNumber,
      address: optional(form.address),
      phone: optional(form.phone),
      bankName: optional(form.bankName),
      bankAccount: optional(form.bankAccount),
      email: optional(form.email),
    },
    errors,
  };
}


/**
 * The API's shapes live in the contract (shared/src/contract, '@fapiao/shared/contract'); this
 * module only re-exports the field schemas routes written before it imported from here.
 */
export { fen, invoiceStatus, invoiceStatusDto, invoiceTitle, isoTime, openid, orderDto, orderNo, orderNoParams, printableText } from '@fapiao/shared/contract';

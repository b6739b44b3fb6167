export * from './errors';
export * from './money';
export * from './invoice-amounts';
export * from './invoice-state';
export * from './validators';
export * from './labels';
export * from './invoice-view';
export * from './invoice-source';
export * from './staff-roles';
// The API's types, inferred from its zod schemas (./contract, imported as '@fapiao/shared/contract'
// for the schemas themselves). Types only: the Mini Program never loads zod at run time.
export type {
  ApplyInvoiceRequest,
  ApplyInvoiceResponse,
  ChannelInvoiceRequest,
  ChannelInvoiceResponse,
  ChannelInvoiceStatusResponse,
  CompanyInvoiceTitle,
  CreateSessionRequest,
  CreateSessionResponse,
  InvoiceStatusResponse,
  InvoiceTitleDto,
  InvoiceTitleKind,
  OrderDetailResponse,
  OrderDto,
  OrderInvoiceSummaryDto,
  OrderItemDto,
  OrderListQuery,
  OrderListResponse,
  PersonalInvoiceTitle,
} from './contract';
export * from './dashboard';
export * from './tax-rates';
export * from './text';

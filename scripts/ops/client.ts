import type { InvoiceState } from '../../shared/src/invoice-state';
import type {
  AdminInvoice,
  AdminInvoiceDetail,
  AuthFieldsSetting,
  ContactSetting,
  OrderInput,
  OrderDto,
  PayMchSetting,
  ReconcileAnswer,
  SetUrlAnswer,
  SettingView,
} from '../../shared/src/contract';
import { parseErrorBody, UnreachableError } from './errors';

export interface InvoiceListQuery {
  status?: InvoiceState;
  /** Only the requests that need a human. */
  attention?: boolean;
  orderNo?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  limit: number;
  cursor?: string;
}

export interface InvoicePage {
  invoices: AdminInvoice[];
  nextCursor?: string;
}

/** Where the server is and how to prove we are ops. The key is only ever put in a header. */
export interface Connection {
  /** Base URL, without a trailing slash, e.g. http://127.0.0.1:3000 */
  server: string;
  key: string;
  timeoutMs: number;
}

export interface Answer<T> {
  status: number;
  body: T;
}

/**
 * The admin API over HTTP. Failures are typed: ApiError for an `{error}` answer (with its code),
 * UnreachableError when there is no usable answer at all. Nothing here ever prints or returns
 * the key.
 */
export interface StaffAccount {
  username: string;
  displayName: string;
  role: 'viewer' | 'operator' | 'admin';
  disabled: boolean;
  createdAt: string;
  createdBy: string;
}

export class AdminClient {
  constructor(
    private readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get server(): string {
    return this.connection.server;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Answer<T>> {
    const url = `${this.connection.server}/api/admin${path}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.connection.key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.connection.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw unreachable(this.connection, err);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new UnreachableError(
        `${this.connection.server} answered ${method} ${path} with HTTP ${res.status} and no JSON (${res.headers.get('content-type') ?? 'no content type'})`,
        'Is --server (FAPIAO_SERVER) the URL of a Fapiao server?',
      );
    }
    if (res.ok) return { status: res.status, body: parsed as T };
    const apiError = parseErrorBody(res.status, parsed);
    if (apiError) throw apiError;
    throw new UnreachableError(
      `${this.connection.server} answered ${method} ${path} with HTTP ${res.status}, not a Fapiao error`,
      'Is --server (FAPIAO_SERVER) the URL of a Fapiao server?',
    );
  }

  // ── staff (the console's accounts) ──────────────────────────────────────────────────────────
  async addStaff(staff: { username: string; displayName: string; role: string; password: string }): Promise<StaffAccount> {
    return (await this.request<StaffAccount>('POST', '/staff', staff)).body;
  }
  async listStaff(): Promise<StaffAccount[]> {
    return (await this.request<{ staff: StaffAccount[] }>('GET', '/staff')).body.staff;
  }

  // ── settings ───────────────────────────────────────────────────────────────────────────────
  async getContact(): Promise<SettingView<ContactSetting>> {
    return (await this.request<SettingView<ContactSetting>>('GET', '/settings/contact')).body;
  }
  async putContact(contact: ContactSetting): Promise<SettingView<ContactSetting>> {
    return (await this.request<SettingView<ContactSetting>>('PUT', '/settings/contact', contact)).body;
  }
  async getAuthFields(): Promise<SettingView<AuthFieldsSetting>> {
    return (await this.request<SettingView<AuthFieldsSetting>>('GET', '/settings/auth-fields')).body;
  }
  async putAuthFields(fields: unknown): Promise<SettingView<AuthFieldsSetting>> {
    return (await this.request<SettingView<AuthFieldsSetting>>('PUT', '/settings/auth-fields', fields)).body;
  }
  async getPayMch(): Promise<SettingView<PayMchSetting>> {
    return (await this.request<SettingView<PayMchSetting>>('GET', '/settings/pay-mch')).body;
  }
  async putPayMch(payMch: PayMchSetting): Promise<SettingView<PayMchSetting>> {
    return (await this.request<SettingView<PayMchSetting>>('PUT', '/settings/pay-mch', payMch)).body;
  }
  async setUrl(): Promise<SetUrlAnswer> {
    return (await this.request<SetUrlAnswer>('POST', '/platform/seturl')).body;
  }

  // ── orders and invoices ────────────────────────────────────────────────────────────────────
  /**
   * Idempotent on orderNo: created true (201) or false (200, already there unchanged). The order
   * may come straight from a file: the server validates it and names the fields it refuses.
   */
  async putOrder(order: OrderInput | Record<string, unknown>): Promise<{ created: boolean; order: OrderDto }> {
    return (await this.request<{ created: boolean; order: OrderDto }>('POST', '/orders', order)).body;
  }
  /**
   * One page, newest first: at most `limit` (the server caps it at 500), created in
   * [createdAfter, createdBefore), and `nextCursor` when more follow (pass it back as `cursor`).
   */
  async listInvoices(filter: InvoiceListQuery): Promise<InvoicePage> {
    const query = new URLSearchParams({ limit: String(filter.limit) });
    if (filter.status) query.set('status', filter.status);
    if (filter.attention) query.set('attention', 'true');
    if (filter.orderNo) query.set('orderNo', filter.orderNo);
    if (filter.createdAfter) query.set('createdAfter', filter.createdAfter.toISOString());
    if (filter.createdBefore) query.set('createdBefore', filter.createdBefore.toISOString());
    if (filter.cursor) query.set('cursor', filter.cursor);
    return (await this.request<InvoicePage>('GET', `/invoices?${query.toString()}`)).body;
  }
  async getInvoice(id: string): Promise<AdminInvoiceDetail> {
    return (await this.request<AdminInvoiceDetail>('GET', `/invoices/${encodeURIComponent(id)}`)).body;
  }
  async reject(id: string, reason: string, url?: string): Promise<AdminInvoice> {
    return (await this.request<AdminInvoice>('POST', `/invoices/${encodeURIComponent(id)}/reject`, { reason, ...(url ? { url } : {}) })).body;
  }
  async retry(id: string): Promise<AdminInvoice> {
    return (await this.request<AdminInvoice>('POST', `/invoices/${encodeURIComponent(id)}/retry`)).body;
  }
  async resolve(id: string, note: string): Promise<AdminInvoice> {
    return (await this.request<AdminInvoice>('POST', `/invoices/${encodeURIComponent(id)}/resolve`, { note })).body;
  }
  async offset(id: string): Promise<AdminInvoice> {
    return (await this.request<AdminInvoice>('POST', `/invoices/${encodeURIComponent(id)}/offset`)).body;
  }
  async reconcile(id: string): Promise<ReconcileAnswer> {
    return (await this.request<ReconcileAnswer>('POST', `/invoices/${encodeURIComponent(id)}/reconcile`)).body;
  }
}

function unreachable(connection: Connection, err: unknown): UnreachableError {
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new UnreachableError(`${connection.server} did not answer within ${Math.round(connection.timeoutMs / 1000)} s`, 'Raise --request-timeout, or check the server');
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : String(err);
  return new UnreachableError(`cannot reach the server at ${connection.server} (${why})`, 'Is it running? Check --server or FAPIAO_SERVER');
}


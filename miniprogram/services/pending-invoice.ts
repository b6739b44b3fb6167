/**
 * The invoice the buyer went to authorize in WeChat's invoice Mini Program. Coming back
 * (App.onShow, scene 1038) is only a cue: nothing reliable arrives in referrerInfo, so the app
 * asks the server (POST …/invoice/refresh) and tells the pages that listen.
 */
import { type InvoiceStatusResponse } from '@fapiao/shared';
import { refreshInvoiceStatus } from './api';

const PENDING_STORAGE_KEY = 'fapiao.pendingInvoice';

export type InvoiceListener = (orderNo: string, status: InvoiceStatusResponse) => void;

const listeners: InvoiceListener[] = [];

export function rememberPendingInvoice(orderNo: string): void {
  wx.setStorageSync(PENDING_STORAGE_KEY, orderNo);
}

export function pendingInvoice(): string | undefined {
  let value: unknown;
  try {
    value = wx.getStorageSync(PENDING_STORAGE_KEY);
  } catch {
    return undefined;
  }
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function forgetPendingInvoice(): void {
  try {
    wx.removeStorageSync(PENDING_STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

/** Subscribe to fresh statuses; returns the unsubscribe function (call it in onUnload). */
export function onInvoiceStatus(listener: InvoiceListener): () => void {
  listeners.push(listener);
  return () => {
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  };
}

/** Tells the listeners about a status some page or the app just fetched. */
function publishInvoiceStatus(orderNo: string, status: InvoiceStatusResponse): void {
  for (const listener of listeners.slice()) listener(orderNo, status);
}

/**
 * Asks the server about the pending invoice, if any, and publishes the answer. Once the request
 * has left AUTH_PENDING the authorization is over either way, so it stops being pending.
 */
export async function refreshPendingInvoice(): Promise<InvoiceStatusResponse | undefined> {
  const orderNo = pendingInvoice();
  if (!orderNo) return undefined;
  const status = await refreshInvoiceStatus(orderNo);
  if (status.status !== 'AUTH_PENDING') forgetPendingInvoice();
  publishInvoiceStatus(orderNo, status);
  return status;
}

import { AppError } from '../errors';

/**
 * Fetches an invoice's PDF from the pdf_url WeChat (or the sandbox) gave for it. Either failure is
 * WECHAT_UNAVAILABLE: the console asks again shortly.
 */
export async function fetchInvoicePdf(url: string, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new AppError('WECHAT_UNAVAILABLE', 'The invoice PDF could not be fetched from WeChat; try again shortly');
  }
  if (!res.ok) throw new AppError('WECHAT_UNAVAILABLE', `WeChat answered ${res.status} for the invoice PDF; try again shortly`);
  return Buffer.from(await res.arrayBuffer());
}

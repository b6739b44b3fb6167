/**
 * The money side of a `makeoutinvoice` request: per-line tax split, discount pairs, totals, and
 * the decimal strings WeChat wants. Totals are sums of per-line results, so
 * hjje + hjse === jshj === Σ tax-inclusive line amounts, exactly, by construction.
 */
import {
  type Fen,
  type Quantity,
  type TaxRate,
  MoneyError,
  assertFen,
  formatFen,
  formatQuantity,
  formatTaxRate,
  formatUnitPrice,
  parseQuantity,
  parseTaxRate,
  splitTaxInclusive,
  sumFen,
} from './money';

/** WeChat `fphxz`, the nature of an invoice line. */
export const FPHXZ = {
  /** 正常行: an ordinary line. */
  NORMAL: '0',
  /** 折扣行: the (negative) discount on the line directly above it. */
  DISCOUNT: '1',
  /** 被折扣行: a line whose discount line follows directly below it. */
  DISCOUNTED: '2',
} as const;
export type Fphxz = (typeof FPHXZ)[keyof typeof FPHXZ];

export function isFphxz(value: unknown): value is Fphxz {
  return value === FPHXZ.NORMAL || value === FPHXZ.DISCOUNT || value === FPHXZ.DISCOUNTED;
}

/** A line of goods or services: a normal line, or a discounted line followed by its discount. */
export interface GoodsLineInput {
  /** "0" (default) or "2" when the next line is its discount. */
  fphxz?: '0' | '2';
  /** Tax-inclusive amount of the line in fen; positive. */
  inclusiveFen: Fen;
  /** "0.13", "0.06", …; see parseTaxRate. */
  taxRate: string | TaxRate;
  /** How many were sold; positive, may be fractional (up to 8 decimals). */
  quantity: number | string | Quantity;
}

/**
 * A discount on the goods line directly above it: negative tax-inclusive amount, same tax rate.
 * It has no quantity: invoicing software prints discount lines with 数量 and 单价 blank.
 */
export interface DiscountLineInput {
  fphxz: '1';
  /** Tax-inclusive discount in fen; negative, and no larger in size than the discounted line. */
  inclusiveFen: Fen;
  taxRate: string | TaxRate;
}

export type InvoiceLineInput = GoodsLineInput | DiscountLineInput;

/** One line after the split. `source` is the caller's object, passed through untouched. */
export interface ComputedLine<L extends InvoiceLineInput = InvoiceLineInput> {
  readonly source: L;
  readonly fphxz: Fphxz;
  readonly taxRate: TaxRate;
  /** null on discount lines. */
  readonly quantity: Quantity | null;
  readonly inclusiveFen: Fen;
  /** WeChat `xmje`. */
  readonly exclusiveFen: Fen;
  /** WeChat `se`. */
  readonly taxFen: Fen;
}

export interface InvoiceAmounts<L extends InvoiceLineInput = InvoiceLineInput> {
  readonly lines: readonly ComputedLine<L>[];
  /** 价税合计, WeChat `jshj`: Σ inclusive. */
  readonly inclusiveFen: Fen;
  /** 合计金额, WeChat `hjje`: Σ xmje. */
  readonly exclusiveFen: Fen;
  /** 合计税额, WeChat `hjse`: Σ se. */
  readonly taxFen: Fen;
}

/**
 * Splits every line (see splitTaxInclusive; a discount line is split by the same rule, so a pair
 * nets to exactly the discounted price) and adds up the totals. Throws MoneyError, with the line
 * index, for: no lines, a non-positive goods line, a discount that is not negative, not directly
 * below a "2" line, bigger than that line, or at another rate; a "2" line with no discount below
 * it; and a total that is not positive (a blue invoice cannot be for nothing).
 */
export function computeInvoiceAmounts<L extends InvoiceLineInput>(lines: readonly L[]): InvoiceAmounts<L> {
  if (lines.length === 0) throw new MoneyError('NO_LINES', 'an invoice needs at least one line');
  const computed = lines.map((line, index) => computeLine(line, index));
  computed.forEach((line, index) => checkDiscountPairing(line, computed[index - 1], computed[index + 1], index));
  const inclusiveFen = sumFen(computed.map((line) => line.inclusiveFen));
  if (inclusiveFen <= 0) throw new MoneyError('AMOUNT_NOT_POSITIVE', 'the invoice total must be positive');
  return {
    lines: computed,
    inclusiveFen,
    exclusiveFen: sumFen(computed.map((line) => line.exclusiveFen)),
    taxFen: sumFen(computed.map((line) => line.taxFen)),
  };
}

function computeLine<L extends InvoiceLineInput>(line: L, index: number): ComputedLine<L> {
  const input: InvoiceLineInput = line;
  const taxRate = withLineIndex(index, () => (typeof input.taxRate === 'string' ? parseTaxRate(input.taxRate) : input.taxRate));
  withLineIndex(index, () => assertFen(input.inclusiveFen, 'line amount'));
  let quantity: Quantity | null = null;
  if (!isFphxz(input.fphxz ?? FPHXZ.NORMAL)) {
    throw new MoneyError('LINE_NATURE_INVALID', `line ${index}: fphxz must be "0", "1" or "2"`, index);
  }
  if (input.fphxz === FPHXZ.DISCOUNT) {
    if (input.inclusiveFen >= 0) {
      throw new MoneyError('DISCOUNT_NOT_NEGATIVE', `line ${index}: a discount line must be negative`, index);
    }
  } else {
    if (input.inclusiveFen <= 0) {
      throw new MoneyError('AMOUNT_NOT_POSITIVE', `line ${index}: a goods line must be positive`, index);
    }
    const goods = input;
    quantity = withLineIndex(index, () => parseQuantity(goods.quantity));
  }
  const split = withLineIndex(index, () => splitTaxInclusive(input.inclusiveFen, taxRate));
  return { source: line, fphxz: input.fphxz ?? FPHXZ.NORMAL, taxRate, quantity, inclusiveFen: input.inclusiveFen, ...split };
}

function checkDiscountPairing(
  line: ComputedLine,
  previous: ComputedLine | undefined,
  next: ComputedLine | undefined,
  index: number,
): void {
  if (line.fphxz === FPHXZ.DISCOUNTED && next?.fphxz !== FPHXZ.DISCOUNT) {
    throw new MoneyError('DISCOUNTED_LINE_WITHOUT_DISCOUNT', `line ${index}: a "2" line must be followed by its discount line`, index);
  }
  if (line.fphxz !== FPHXZ.DISCOUNT) return;
  if (previous?.fphxz !== FPHXZ.DISCOUNTED) {
    throw new MoneyError('DISCOUNT_WITHOUT_DISCOUNTED_LINE', `line ${index}: a discount line must follow a "2" line`, index);
  }
  if (-line.inclusiveFen > previous.inclusiveFen) {
    throw new MoneyError('DISCOUNT_EXCEEDS_LINE', `line ${index}: the discount is larger than the line it discounts`, index);
  }
  if (line.taxRate.basisPoints !== previous.taxRate.basisPoints) {
    throw new MoneyError('DISCOUNT_RATE_MISMATCH', `line ${index}: a discount must have the rate of the line it discounts`, index);
  }
}

/** Re-throws a MoneyError from a per-line helper with the line index attached. */
function withLineIndex<T>(index: number, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof MoneyError && error.lineIndex === undefined) {
      throw new MoneyError(error.code, `line ${index}: ${error.message}`, index);
    }
    throw error;
  }
}

/** The amount fields of one `invoicedetail_list` entry (the caller adds spbm, xmmc, dw, ggxh). */
export interface WeChatLineAmounts {
  fphxz: Fphxz;
  /** Quantity; "" on discount lines. */
  xmsl: string;
  /** Unit price excluding tax, up to 8 decimals; "" on discount lines. */
  xmdj: string;
  xmje: string;
  sl: string;
  se: string;
}

/** The amount fields of a `makeoutinvoice` request, as WeChat's decimal strings. */
export interface WeChatInvoiceAmounts {
  jshj: string;
  hjje: string;
  hjse: string;
  /** In the order of InvoiceAmounts.lines. */
  invoicedetail_list: WeChatLineAmounts[];
}

export function toWeChatLineAmounts(line: ComputedLine): WeChatLineAmounts {
  return {
    fphxz: line.fphxz,
    xmsl: line.quantity ? formatQuantity(line.quantity) : '',
    xmdj: line.quantity ? formatUnitPrice(line.exclusiveFen, line.quantity) : '',
    xmje: formatFen(line.exclusiveFen),
    sl: formatTaxRate(line.taxRate),
    se: formatFen(line.taxFen),
  };
}

export function toWeChatInvoiceAmounts(amounts: InvoiceAmounts): WeChatInvoiceAmounts {
  return {
    jshj: formatFen(amounts.inclusiveFen),
    hjje: formatFen(amounts.exclusiveFen),
    hjse: formatFen(amounts.taxFen),
    invoicedetail_list: amounts.lines.map(toWeChatLineAmounts),
  };
}

/** An order whose two lines at 13 % add up (the server checks): ¥143.00. No imports, so the Mini Program tests can use it too. */
export function orderFor(openid: string, orderNo: string) {
  return {
    orderNo,
    openid,
    amount: 2 * 5650 + 3 * 1000,
    items: [
      { name: '办公椅', spbm: '1050201010000000000', quantity: 2, unitPrice: 5650, taxRate: '0.13' },
      { name: '订书机', spbm: '1080212990000000000', quantity: 3, unitPrice: 1000, taxRate: '0.13' },
    ],
  };
}

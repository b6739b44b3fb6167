import { openidFor } from '../server/sandbox';

/** Demo buyers: in the sandbox, any login code "<name>.<anything>" logs in as <name>. */
export const DEMO_BUYERS = ['alice', 'bob'] as const;

const CATALOGUE = [
  { name: '人体工学办公椅', spbm: '1050201010000000000', unitPrice: 129900, taxRate: '0.13' },
  { name: '无线键盘', spbm: '1090511030000000000', unitPrice: 19900, taxRate: '0.13' },
  { name: '咖啡豆 500g', spbm: '1030307010000000000', unitPrice: 8800, taxRate: '0.13' },
  { name: '软件年度订阅服务', spbm: '3040201000000000000', unitPrice: 36000, taxRate: '0.06' },
];

/** A few orders per demo buyer, added through the admin API (idempotent: re-running adds nothing). */
export async function seedDemoOrders(serverUrl: string, adminKey: string, appid: string): Promise<{ buyer: string; orderNo: string }[]> {
  const seeded: { buyer: string; orderNo: string }[] = [];
  for (const [b, buyer] of DEMO_BUYERS.entries()) {
    for (let n = 0; n < 3; n++) {
      const picks = [CATALOGUE[(b + n) % CATALOGUE.length]!, CATALOGUE[(b + n + 1) % CATALOGUE.length]!];
      const items = picks.map((item, i) => ({ ...item, quantity: i + 1 }));
      const orderNo = `DEMO-${buyer.toUpperCase()}-${n + 1}`;
      const res = await fetch(`${serverUrl}/api/admin/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          orderNo,
          openid: openidFor(appid, buyer),
          amount: items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0),
          items,
        }),
      });
      if (!res.ok) throw new Error(`seeding ${orderNo} failed: ${res.status} ${await res.text()}`);
      seeded.push({ buyer, orderNo });
    }
  }
  return seeded;
}

/** The console's demo staff, one per role, all with the same development password. */
export const DEMO_STAFF = [
  { username: 'admin', displayName: '演示管理员', role: 'admin' },
  { username: 'operator', displayName: '演示操作员', role: 'operator' },
  { username: 'viewer', displayName: '演示查看员', role: 'viewer' },
] as const;

/** Adds the demo staff through the admin API; accounts already there are left as they are. */
export async function seedDemoStaff(serverUrl: string, adminKey: string, password: string): Promise<void> {
  for (const staff of DEMO_STAFF) {
    const res = await fetch(`${serverUrl}/api/admin/staff`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...staff, password }),
    });
    if (!res.ok && res.status !== 409) throw new Error(`adding staff ${staff.username} failed: ${res.status} ${await res.text()}`);
  }
}

import { z } from 'zod';
import { channelRoutes } from './channel/routes';
import { adminRoutes } from './admin/routes';
import { staffRoutes } from './admin/staff-routes';
import { dashboardRoutes } from './admin/dashboard-routes';
import { outboxRoutes } from './admin/outbox-routes';
import { invoiceFileRoutes } from './admin/invoice-file-routes';
import { mpRoutes } from './mp/routes';
import { openApiDocument, route } from './api-route';

type Doc = { components: { schemas: Record<string, Record<string, unknown>> }; paths: Record<string, Record<string, Record<string, unknown>>> };

/** Every `$ref` in `value`. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  }
  return found;
}

// The route lists only: their handlers are never called here.
const none = {} as never;
const served = openApiDocument('Fapiao API', 'test', [
  { prefix: '/api/mp', routes: mpRoutes(none) },
  {
    prefix: '/api/admin',
    routes: [...staffRoutes(none), ...dashboardRoutes(none), ...invoiceFileRoutes(none), ...adminRoutes({ now: () => new Date() } as never), ...outboxRoutes(none)],
  },
  { prefix: '/api/channel', routes: channelRoutes(none) },
]) as Doc;

describe('/openapi.json from the contract', () => {
  it('names each shared shape once under components.schemas, and every $ref resolves', () => {
    const names = Object.keys(served.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['Order', 'OrderItem', 'InvoiceTitle', 'InvoiceStatus', 'AdminInvoice', 'AdminInvoiceDetail', 'Error', 'Staff']));
    const refs = refsIn(served);
    expect(refs.length).toBeGreaterThan(40);
    for (const ref of refs) expect(names).toContain(ref.replace('#/components/schemas/', ''));
    // No $defs left inline: a named shape is described in one place only.
    expect(JSON.stringify(served)).not.toContain('$defs');
  });

  it('refers to the order from the buyer’s list, the buyer’s order and the admin import alike', () => {
    const answer = (path: string, method: string, status = '200') =>
      (served.paths[path]?.[method]?.responses as Record<string, { content: Record<string, { schema: unknown }> }>)[status]?.content['application/json']?.schema;
    expect(answer('/api/mp/orders/{orderNo}', 'get')).toEqual({ $ref: '#/components/schemas/Order' });
    expect(JSON.stringify(served.components.schemas.OrderList)).toContain('#/components/schemas/Order"');
    expect(JSON.stringify(served.components.schemas.OrderImported)).toContain('#/components/schemas/Order"');
  });

  it('keeps a request form that differs from the answer form apart, as <id>Input', () => {
    const handler = () => Promise.resolve({});
    // `size` has a default: required in the answer, not in the request.
    const thing = z.object({ size: z.number().default(1) }).strict().meta({ id: 'TestThing' });
    // Strict: the same in both directions (a loose object admits more in a request than an answer).
    const same = z.object({ n: z.number() }).strict().meta({ id: 'TestSame' });
    const holdsSame = z.object({ same }).strict().meta({ id: 'TestHoldsSame' });
    // Equal itself, but what it refers to differs: its request form must refer to the request form.
    const holdsThing = z.object({ thing }).strict().meta({ id: 'TestHoldsThing' });
    const doc = openApiDocument('t', '1', [
      {
        prefix: '',
        routes: [
          route({ method: 'post', path: '/things', summary: 's', auth: 'none', body: thing, response: thing, handler }),
          route({ method: 'put', path: '/same', summary: 's', auth: 'none', body: holdsSame, response: holdsSame, handler }),
          route({ method: 'put', path: '/held', summary: 's', auth: 'none', body: holdsThing, response: holdsThing, handler }),
        ],
      },
    ]) as Doc;
    const schemas = doc.components.schemas;
    expect(schemas.TestThing?.required).toEqual(['size']);
    expect(schemas.TestThingInput?.required).toBeUndefined();
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['TestSame', 'TestHoldsSame', 'TestHoldsThing', 'TestHoldsThingInput']));
    expect(Object.keys(schemas)).not.toContain('TestSameInput');
    expect(Object.keys(schemas)).not.toContain('TestHoldsSameInput');
    expect(JSON.stringify(schemas.TestHoldsThingInput)).toContain('#/components/schemas/TestThingInput"');
    expect(JSON.stringify(schemas.TestHoldsThing)).toContain('#/components/schemas/TestThing"');
    expect(JSON.stringify(doc.paths['/things']?.post?.requestBody)).toContain('#/components/schemas/TestThingInput"');
  });

  it('refuses two different schemas under one id', () => {
    const a = z.object({ a: z.string() }).meta({ id: 'TestClash' });
    const b = z.object({ b: z.string() }).meta({ id: 'TestClash' });
    const handler = () => Promise.resolve({});
    expect(() =>
      openApiDocument('t', '1', [
        {
          prefix: '',
          routes: [
            route({ method: 'get', path: '/a', summary: 's', auth: 'none', response: z.object({ x: a }), handler }),
            route({ method: 'get', path: '/b', summary: 's', auth: 'none', response: z.object({ x: b }), handler }),
          ],
        },
      ]),
    ).toThrow('TestClash');
  });
});

/**
 * The hostile-input case generator (used by hostile-input.test.ts, which holds the assertions):
 * from the routes /openapi.json describes and one valid request per route, every variant that a
 * hostile client could send — forged credentials, `$`-operators where strings belong, unknown
 * fields, huge, negative and fractional numbers, truncated, oversized and mistyped bodies, hostile
 * path parameters and query strings, wrong methods. Each variant changes one thing in a request
 * the server accepts, so a refusal shows that one change was refused.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';

/** Well over every string limit, well under the JSON body limit (256 kb). */
export const OVERLONG = 'a'.repeat(10_000);

// ── Requests ───────────────────────────────────────────────────────────────────────────────────

export interface Call {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A string is sent verbatim; a stream without Content-Length (chunked). */
  body?: string | Buffer | ReadableStream<Uint8Array> | undefined;
}

export interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** Sends one request to `baseUrl` and reads the answer (JSON when it parses). */
export async function send(baseUrl: string, call: Call): Promise<Answer> {
  const res = await fetch(`${baseUrl}${call.path}`, {
    method: call.method,
    headers: call.headers,
    body: call.body,
    ...(call.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

export const jsonHeaders = (auth?: string): Record<string, string> => ({ 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) });

/** A body sent in 1 kb chunks with no Content-Length, so the server cannot refuse it up front. */
export function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 1024));
      at += 1024;
    },
  });
}


// ── Cases ──────────────────────────────────────────────────────────────────────────────────────

interface Expectation {
  /** Exact status; any 4xx when absent. */
  status?: number;
  code?: string;
}

export interface HostileCase {
  name: string;
  /** The operation ("POST /api/mp/session") whose request this is a variant of. */
  route?: string;
  call: Call;
  expect?: Expectation;
  /**
   * Cases of one group share one database snapshot before and after (a snapshot reads every
   * collection, and the slow database stand-in makes one per call cost most of the time budget).
   * Without a group, a case is checked on its own.
   */
  group?: string;
}

// ── The routes, from /openapi.json ─────────────────────────────────────────────────────────────

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  pattern?: string;
  description?: string;
}

export interface Operation {
  /** "POST /api/mp/orders/{orderNo}/invoice" */
  key: string;
  method: string;
  path: string;
  auth: 'none' | 'session' | 'adminKey' | 'channelKey';
  parameters: { name: string; in: 'path' | 'query'; schema: JsonSchema }[];
  body?: JsonSchema | undefined;
}


/** The operations of an OpenAPI document (the server's /openapi.json). */
export function operationsOf(doc: {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
}): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      auth: (Object.keys(op.security?.[0] ?? {})[0] ?? 'none') as Operation['auth'],
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema,
    })),
  );
}

/** What the generator needs from the test: a request each route accepts, against its real data. */
export interface RouteFixtures {
  /** A body the route accepts (the test checks that it does). */
  validBody(key: string): unknown;
  /** A real value for a path parameter, so a hostile request would otherwise reach real data. */
  pathValue(name: string): string;
  /** Query values the route accepts. */
  validQuery(key: string): Record<string, string>;
  /** The credential the route accepts (none for public routes). */
  credential(op: Operation): string | undefined;
  /** A valid credential of another API (an admin key for a buyer's route, a session for the rest). */
  foreignCredential(op: Operation): string;
  /** The admin API key (sent as HTTP Basic auth, which no route accepts). */
  adminKey: string;
  /** A buyer's session that has expired. */
  expiredSession(): string;
}

// ── Hostile variants of a JSON body ────────────────────────────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonPath = (string | number)[];

/** The schema of the value at `path`, through objects, arrays and unions (undefined when unknown). */
function schemaAt(schema: JsonSchema | undefined, path: JsonPath): JsonSchema | undefined {
  let at = schema;
  for (const step of path) {
    const options = at ? [at, ...(at.anyOf ?? []), ...(at.oneOf ?? [])] : [];
    at = typeof step === 'number' ? options.find((s) => s.items)?.items : options.find((s) => s.properties?.[step])?.properties?.[step];
  }
  return at;
}

/** Every leaf (string or number) and every object of a JSON value, with its path. */
function walk(value: Json, path: JsonPath = []): { path: JsonPath; value: Json }[] {
  const here = [{ path, value }];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, i) => walk(item, [...path, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => walk(v, [...path, k]))];
  return here;
}

/** `value` with the node at `path` replaced (own properties only: "__proto__" stays plain data). */
function replaced(value: Json, path: JsonPath, by: (old: Json) => Json): Json {
  const [step, ...rest] = path;
  if (step === undefined) return by(value);
  if (Array.isArray(value)) return value.map((item, i) => (i === step ? replaced(item, rest, by) : item));
  const copy: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value as Record<string, Json>)) Object.defineProperty(copy, k, { value: k === step ? replaced(v, rest, by) : v, enumerable: true, writable: true, configurable: true });
  return copy;
}

function withKey(object: Json, key: string, extra: Json): Json {
  const copy = { ...(object as Record<string, Json>) };
  Object.defineProperty(copy, key, { value: extra, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Numbers no field should take: every number we accept is bounded and non-negative. */
export const HUGE_2_64 = '18446744073709551616';

function bodyVariants(op: Operation, valid: Json): { name: string; body: string }[] {
  const variants: { name: string; body: string }[] = [];
  // Fields with the same schema are validated alike (e.g. the dozen 0/1 flags): one stands for all.
  const seen = new Set<string>();
  for (const { path, value } of walk(valid)) {
    const at = path.join('.') || '(root)';
    const schema = schemaAt(op.body, path);
    const kind = `${typeof value}:${Array.isArray(value) ? 'array' : ''}:${JSON.stringify(schema ?? at)}`;
    if (seen.has(kind)) continue;
    seen.add(kind);
    const put = (name: string, by: Json) => variants.push({ name: `${at}: ${name}`, body: JSON.stringify(replaced(valid, path, () => by)) });
    // A raw number literal JSON.stringify cannot write exactly.
    const putLiteral = (name: string, literal: string) => {
      const marker = `"__literal_${crypto.randomBytes(6).toString('hex')}__"`;
      variants.push({ name: `${at}: ${name}`, body: JSON.stringify(replaced(valid, path, () => JSON.parse(marker) as Json)).replace(marker, literal) });
    };
    if (typeof value === 'string') {
      put('$gt operator', { $gt: '' });
      put('$ne operator', { $ne: null });
      put('$where operator', { $where: 'sleep(1000)' });
      put('array', [value]);
      put('number', 12345);
      put('null', null);
      // Appended, so a format check (email, URL, pattern) still holds and only the length is wrong.
      put('overlong', value + OVERLONG);
    } else if (typeof value === 'number') {
      put('"Infinity"', 'Infinity');
      put('numeric string', String(value));
      put('$gt operator', { $gt: 0 });
      put('null', null);
      put('1e308', 1e308);
      putLiteral('2^64', HUGE_2_64);
      put('-1', -1);
      if (schema?.type === 'integer' || schema?.anyOf?.every((s) => Number.isInteger(s.const))) put('0.5', 0.5);
      if ((schema?.minimum ?? 0) > 0 || (schema?.exclusiveMinimum ?? -1) >= 0) putLiteral('-0', '-0');
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      put('unknown field', withKey(value, 'unexpected', 1));
      put('$set key', withKey(value, '$set', { status: 'ISSUED' }));
      put('__proto__ key', withKey(value, '__proto__', { polluted: true }));
      put('constructor.prototype key', withKey(value, 'constructor', { prototype: { polluted: true } }));
    }
  }
  return variants;
}

/** Money: every field /openapi.json describes as fen refuses what is not a non-negative safe integer. */
function moneyVariants(op: Operation, valid: Json): { name: string; body: string }[] {
  return walk(valid)
    .filter(({ path, value }) => typeof value === 'number' && schemaAt(op.body, path)?.description?.startsWith('Amount in fen'))
    .flatMap(({ path }) =>
      (
        [
          ['negative', -100],
          ['negative fraction', -0.01],
          ['fractional fen', 0.5],
          ['yuan with decimals', 143.5],
          ['2^53 (beyond safe integers)', 2 ** 53],
          ['MAX_VALUE', Number.MAX_VALUE],
          ['yuan string', '143.00'],
        ] as const
      ).map(([name, by]) => ({ name: `${path.join('.')}: ${name}`, body: JSON.stringify(replaced(valid, path, () => by)) })),
    );
}

// ── The cases, per kind of hostility ───────────────────────────────────────────────────────────

/** The hostile cases for `operations`, each kind of hostility a list of its own. */
export function hostileCases(operations: Operation[], fx: RouteFixtures) {
  const urlOf = (op: Operation, params: Record<string, string> = {}, query: string = new URLSearchParams(fx.validQuery(op.key)).toString()): string => {
    const path = op.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => params[name] ?? encodeURIComponent(fx.pathValue(name)));
    return query ? `${path}?${query}` : path;
  };
  /** A well-formed request to the route: its valid body, real path values, valid query. */
  const validCall = (op: Operation): Call => ({
    method: op.method,
    path: urlOf(op),
    headers: jsonHeaders(fx.credential(op)),
    ...(op.body ? { body: JSON.stringify(fx.validBody(op.key)) } : {}),
  });
  const withBody = () => operations.filter((op) => op.body);

  return {
    validCall,

    /** Missing, wrong, expired and foreign credentials on every guarded route: 401 UNAUTHENTICATED. */
    credentials(): HostileCase[] {
      return operations
        .filter((op) => op.auth !== 'none')
        .flatMap((op) => {
          const valid = validCall(op);
          const credentials: [string, string | undefined][] = [
            ['no credential', undefined],
            ['wrong bearer', 'Bearer key-bbbbbbbbbbbbbbbbbbbbbbbb'],
            ['the other API’s credential', fx.foreignCredential(op)],
            ['basic auth', `Basic ${Buffer.from(`admin:${fx.adminKey}`).toString('base64')}`],
            ['bearer with a $-operator', 'Bearer {"$gt":""}'],
            ['overlong bearer', `Bearer ${'k'.repeat(8_000)}`],
            ['bearer without a token', 'Bearer '],
            ...(op.auth === 'session' ? ([['expired session', `Bearer ${fx.expiredSession()}`]] as [string, string][]) : []),
          ];
          return credentials.map(([name, auth]) => ({
            name,
            route: op.key,
            call: { ...valid, headers: jsonHeaders(auth) },
            expect: { status: 401, code: 'UNAUTHENTICATED' },
            group: `${op.key} credentials`,
          }));
        });
    },

    /** One hostile value in one body field at a time: 400. */
    bodyFields(): HostileCase[] {
      return withBody().flatMap((op) => {
        const valid = validCall(op);
        return bodyVariants(op, fx.validBody(op.key) as Json).map(({ name, body }) => ({ name, route: op.key, call: { ...valid, body }, expect: { status: 400 }, group: `${op.key} fields` }));
      });
    },

    /** Money that is not a non-negative safe integer of fen: 400 VALIDATION_FAILED. */
    money(): HostileCase[] {
      return withBody().flatMap((op) =>
        moneyVariants(op, fx.validBody(op.key) as Json).map(({ name, body }) => ({ name, route: op.key, call: { ...validCall(op), body }, expect: { status: 400, code: 'VALIDATION_FAILED' }, group: `${op.key} money` })),
      );
    },

    /** Truncated, non-object, oversized, compressed-bomb and mistyped bodies. */
    bodyShapes(): HostileCase[] {
      const gzipBomb = zlib.gzipSync(Buffer.from(JSON.stringify({ pad: ' '.repeat(8 * 1024 * 1024) })));
      return withBody().flatMap((op) => {
        const valid = validCall(op);
        const json = JSON.stringify(fx.validBody(op.key));
        const auth = fx.credential(op);
        const as = (contentType: string | undefined, body: string | Buffer | ReadableStream<Uint8Array>, extra: Record<string, string> = {}) => ({
          ...valid,
          headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(auth ? { authorization: auth } : {}), ...extra },
          body,
        });
        const oversized = JSON.stringify({ ...(fx.validBody(op.key) as object), pad: 'x'.repeat(300 * 1024) });
        const cases: HostileCase[] = [
          { name: 'truncated JSON', call: as('application/json', json.slice(0, Math.floor(json.length / 2))), expect: { status: 400, code: 'MALFORMED_BODY' } },
          { name: 'JSON null', call: as('application/json', 'null'), expect: { status: 400 } },
          { name: 'JSON array', call: as('application/json', `[${json}]`), expect: { status: 400 } },
          { name: 'JSON string', call: as('application/json', JSON.stringify(json)), expect: { status: 400 } },
          { name: 'JSON number', call: as('application/json', '1e308'), expect: { status: 400 } },
          { name: 'duplicate key, the last (winning) one an operator', call: as('application/json', json.replace(/\}$/, `,${JSON.stringify(Object.keys(fx.validBody(op.key) as object)[0])}:{"$ne":null}}`)), expect: { status: 400 } },
          { name: 'nested 10 000 deep', call: as('application/json', `{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}`), expect: { status: 400 } },
          { name: 'over the 256 kb limit', call: as('application/json', oversized), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
          { name: 'over the limit, chunked', call: as('application/json', chunked(oversized)), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
          { name: 'gzip bomb (8 MB inflated)', call: as('application/json', gzipBomb, { 'content-encoding': 'gzip' }), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
          { name: 'unknown content encoding', call: as('application/json', json, { 'content-encoding': 'x-bogus' }) },
          { name: 'text/plain', call: as('text/plain', json) },
          { name: 'no content type', call: as(undefined, Buffer.from(json)) },
          { name: 'form-urlencoded', call: as('application/x-www-form-urlencoded', new URLSearchParams({ type: '0', code: 'x' }).toString()) },
          { name: 'multipart', call: as('multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="type"\r\n\r\n0\r\n--x--\r\n`) },
          { name: 'XML', call: as('application/xml', '<xml><type>0</type></xml>') },
        ];
        return cases.map((c) => ({ ...c, route: op.key, group: `${op.key} bodies` }));
      });
    },

    /** Operators, overlong values, encoded slashes, NUL bytes and broken encodings as path parameters. */
    pathParams(): HostileCase[] {
      return operations
        .filter((op) => op.parameters.some((p) => p.in === 'path'))
        .flatMap((op) => {
          const valid = validCall(op);
          return op.parameters
            .filter((p) => p.in === 'path')
            .flatMap((p) =>
              (
                [
                  ['$gt operator', encodeURIComponent('{"$gt":""}')],
                  ['$ne in brackets', `${encodeURIComponent(fx.pathValue(p.name))}%5B%24ne%5D`],
                  ['overlong', 'A'.repeat(2_000)],
                  ['encoded slashes', '..%2F..%2Fsettings%2Fcontact'],
                  ['NUL byte', `${encodeURIComponent(fx.pathValue(p.name))}%00`],
                  ['broken percent-encoding', '%E0%A4%A'],
                  ['regex metacharacters', encodeURIComponent('.*')],
                ] as const
              ).map(([name, value]) => ({ name: `{${p.name}}: ${name}`, route: op.key, call: { ...valid, path: urlOf(op, { [p.name]: value }) }, group: `${op.key} path` })),
            );
        });
    },

    /** Bracketed operators, repeated keys, unknown keys, bad numbers and forged cursors in the query. */
    queries(): HostileCase[] {
      const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return operations
        .filter((op) => op.parameters.some((p) => p.in === 'query'))
        .flatMap((op) => {
          const valid = validCall(op);
          const base = fx.validQuery(op.key);
          const withQuery = (name: string, query: [string, string][]): HostileCase => ({ name, route: op.key, call: { ...valid, path: urlOf(op, {}, new URLSearchParams(query).toString()) }, group: `${op.key} query` });
          const one = (name: string, key: string, value: string) => withQuery(`${key}: ${name}`, [...Object.entries(base).filter(([k]) => k !== key), [key, value]]);
          const perParam = op.parameters
            .filter((p) => p.in === 'query')
            .flatMap((p) => {
              const ok = base[p.name] ?? 'x';
              const common = [
                withQuery(`${p.name}[$ne]`, [...Object.entries(base).filter(([k]) => k !== p.name), [`${p.name}[$ne]`, ok]]),
                withQuery(`${p.name}[$gt] alone`, [[`${p.name}[$gt]`, '']]),
                withQuery(`${p.name} repeated`, [...Object.entries(base), [p.name, ok], [p.name, ok]]),
                one('overlong', p.name, ok + OVERLONG),
              ];
              if (p.schema.type === 'integer' || p.schema.type === 'number') {
                return [...common, ...['1e308', HUGE_2_64, 'Infinity', '-1', '0.5', '', 'NaN', '{"$gt":0}'].map((v) => one(JSON.stringify(v), p.name, v))];
              }
              // A title search is free text matched literally (escaped), so an operator-looking title
              // is a title nobody has: 200 with no match is right. Every other string refuses it.
              const strings = [...(p.name === 'title' ? [] : ['{"$gt":""}']), ...(p.schema.enum ? ['NOT_A_VALUE'] : [])];
              if (p.name === 'cursor') strings.push(cursorOf([1e308, 'x']), cursorOf({ $gt: '' }), cursorOf([Date.now(), { $gt: '' }]), 'not-base64!');
              return [...common, ...strings.map((v) => one(JSON.stringify(v).slice(0, 40), p.name, v))];
            });
          return [...perParam, withQuery('unknown key', [...Object.entries(base), ['unexpected', '1']]), withQuery('$where key', [...Object.entries(base), ['$where', 'sleep(1000)']])];
        });
    },

    /** A method the path does not have (405), and an extra path segment (404, or 400 as another route's parameter). */
    methods(): HostileCase[] {
      return operations.flatMap((op): HostileCase[] => {
        const group = `${op.key} method`;
        const wrong = ['DELETE', 'PATCH', 'PUT', 'POST', 'GET'].find((m) => !operations.some((o) => o.path === op.path && o.method === m)) ?? 'PATCH';
        return [
          { name: `${wrong} instead`, call: { ...validCall(op), method: wrong, body: wrong === 'GET' ? undefined : '{}' }, expect: { status: 405, code: 'METHOD_NOT_ALLOWED' }, group },
          { name: 'extra path segment', call: { ...validCall(op), path: `${urlOf(op, {}, '')}/extra` }, group },
        ];
      });
    },
  };
}

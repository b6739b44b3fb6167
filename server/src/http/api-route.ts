import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { roleAtLeast, type StaffRole } from '@fapiao/shared';
import { errorBody } from '@fapiao/shared/contract';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * Who called: a buyer (session), an ops key (machines, the CLI), a named staff member (the
 * console's cookie session), the merchant's back end (channel key), or nobody in particular.
 */
export type Caller =
  | { kind: 'buyer'; openid: string; account: string; unionid?: string }
  | { kind: 'admin'; keyId: string }
  | { kind: 'merchant'; keyId: string }
  | { kind: 'staff'; username: string; displayName: string; role: StaffRole; csrfToken: string }
  | { kind: 'anonymous' };

/** session: a buyer's token; admin: an ops key; channel: the merchant back end's key (or an ops key); none. */
export type AuthKind = 'session' | 'admin' | 'channel' | 'none';

/**
 * One API route, declared once: its schemas validate the request and document it in
 * /openapi.json, so the description can never drift from what the server accepts.
 */
export interface ApiRoute<B = unknown, Q = unknown, P = unknown, R = unknown> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Koa-style path relative to the router's prefix, e.g. "/orders/:orderNo". */
  path: string;
  summary: string;
  auth: AuthKind;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  response: z.ZodType<R>;
  /**
   * Admin routes: the least staff role that may call it (API keys may call everything). Unless
   * said otherwise, reading needs a viewer and changing an operator.
   */
  role?: StaffRole;
  /**
   * Answers a file of this content type (a string or Buffer body) instead of JSON; with several,
   * the handler says which by `ctx.type` (the first otherwise).
   */
  produces?: string | readonly string[];
  /** Success status (200 unless said otherwise). */
  status?: number;
  handler(input: { body: B; query: Q; params: P; caller: Caller; ctx: Context }): Promise<R>;
}

/** A route whose generic types are erased, so routes of different shapes share one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApiRoute = ApiRoute<any, any, any, any>;

/** Declares a route, keeping its types (identity at runtime). */
export function route<B, Q, P, R>(definition: ApiRoute<B, Q, P, R>): ApiRoute<B, Q, P, R> {
  return definition;
}

const jsonBody = koaBody({ json: true, multipart: false, urlencoded: false, text: false, jsonLimit: '256kb', jsonStrict: true });

/**
 * koa-body leaves a body of any other type unread, and the route would then validate `{}`: a form
 * or text/plain post to a route whose fields all have defaults would go through as if empty.
 * No body at all is still `{}`.
 */
const jsonOnly: Middleware = async (ctx, next) => {
  const hasBody = ctx.get('transfer-encoding') !== '' || Number(ctx.get('content-length')) > 0;
  if (hasBody && !ctx.request.is('application/json', '+json')) {
    throw new AppError('MALFORMED_BODY', `Unsupported content type ${JSON.stringify(ctx.get('content-type').slice(0, 64))}: send JSON (application/json)`);
  }
  await next();
};

/** Registers routes on a router, behind the given authentication middleware per kind. */
export function mountRoutes(router: Router, routes: AnyApiRoute[], authenticate: Record<AuthKind, Middleware>): void {
  for (const definition of routes) {
    const handle: Middleware = async (ctx) => {
      // unknown, not any: the handler's own types say what each is.
      const body: unknown = definition.body ? parse(definition.body, (ctx.request as { body?: unknown }).body ?? {}, 'body') : undefined;
      const query: unknown = definition.query ? parse(definition.query, ctx.query, 'query') : undefined;
      const params: unknown = definition.params ? parse(definition.params, (ctx as unknown as { params: unknown }).params, 'path') : undefined;
      const caller = (ctx.state as { caller?: Caller }).caller ?? { kind: 'anonymous' };
      const least = definition.role ?? (definition.method === 'get' ? 'viewer' : 'operator');
      if (caller.kind === 'staff' && !roleAtLeast(caller.role, least)) {
        throw new AppError('FORBIDDEN', `This needs the ${least} role; ${caller.username} is ${caller.role}`);
      }
      const result: unknown = await definition.handler({ body, query, params, caller, ctx });
      const chosen = ctx.type;
      ctx.body = result;
      if (definition.produces) {
        const types = typeof definition.produces === 'string' ? [definition.produces] : definition.produces;
        ctx.type = types.find((t) => chosen && t.startsWith(chosen)) ?? types[0] ?? 'application/octet-stream';
      }
      // A handler may choose the status itself (e.g. 201 vs 200); otherwise the declared one.
      if (definition.status && ctx.status === 200) ctx.status = definition.status;
    };
    const chain: Middleware[] = [authenticate[definition.auth]];
    if (definition.body) chain.push(jsonOnly, jsonBody);
    chain.push(handle);
    router[definition.method](definition.path, ...chain);
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : where;
    return `${field}: ${issue.message}`;
  });
  throw new AppError('VALIDATION_FAILED', `Invalid ${where}: ${problems.join('; ')}`, { problems });
}

/**
 * The OpenAPI 3.1 document for mounted routes (prefix + path), from their zod schemas. Every schema
 * the contract names (`meta({ id })`, shared/src/contract) is written once under
 * `components.schemas` and referred to by `$ref`; where its request form differs from its answer
 * form (defaults, transforms) the request form is `<id>Input`.
 */
export function openApiDocument(title: string, version: string, groups: { prefix: string; routes: AnyApiRoute[] }[]): object {
  const components = new ComponentSchemas();
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = components.add(errorBody, 'output');
  for (const { prefix, routes } of groups) {
    for (const definition of routes) {
      const path = (prefix + definition.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters = [
        ...schemaParameters(components, definition.params, 'path'),
        ...schemaParameters(components, definition.query, 'query'),
      ];
      (paths[path] ??= {})[definition.method] = {
        summary: definition.summary,
        ...(definition.auth === 'none'
          ? { security: [] }
          : {
              security:
                definition.auth === 'admin'
                  ? [{ adminKey: [] }, { staffSession: [] }]
                  : definition.auth === 'channel'
                    ? [{ channelKey: [] }, { adminKey: [] }]
                    : [{ session: [] }],
            }),
        ...(definition.auth === 'admin' ? { 'x-staff-role': definition.role ?? (definition.method === 'get' ? 'viewer' : 'operator') } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(definition.body
          ? {
              requestBody: {
                // A request without a body is read as {}: the body is optional where {} is valid.
                required: !definition.body.safeParse({}).success,
                content: { 'application/json': { schema: components.add(definition.body, 'input') } },
              },
            }
          : {}),
        responses: {
          [String(definition.status ?? 200)]: {
            description: 'OK',
            content: Object.fromEntries(
              (typeof definition.produces === 'string' ? [definition.produces] : (definition.produces ?? ['application/json'])).map((type) => [
                type,
                { schema: components.add(definition.response, 'output') },
              ]),
            ),
          },
          default: { description: 'Error', content: { 'application/json': { schema: errorRef } } },
        },
      };
    }
  }
  const resolved = components.resolve(paths);
  return {
    openapi: '3.1.0',
    info: { title, version },
    components: {
      schemas: resolved.schemas,
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'Session token from POST /api/mp/session' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'One of ADMIN_API_KEYS' },
        channelKey: { type: 'http', scheme: 'bearer', description: "One of CHANNEL_API_KEYS: the merchant back end's server-to-server key" },
        staffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'fapiao_console',
          description:
            'A staff member’s console session (POST /api/admin/session); changes also need its csrfToken in X-CSRF-Token. ' +
            'x-staff-role on an operation is the least role that may call it',
        },
      },
    },
    paths: resolved.document,
  };
}

type JsonSchema = Record<string, unknown>;

/**
 * The named schemas of the document. zod writes each schema with an id into `$defs`; they are
 * gathered here, keyed by id (input and output forms apart), and once every route is in, the
 * references are pointed at `components.schemas` (only then is it known which ids have two forms).
 */
class ComponentSchemas {
  private readonly found = { input: new Map<string, string>(), output: new Map<string, string>() };

  /** The JSON schema of `schema` as the `io` side sees it, its named parts moved to components. */
  add(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $schema: _drop, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const text = JSON.stringify(markRefs(definition, io));
      const seen = this.found[io].get(id);
      if (seen !== undefined && seen !== text) throw new Error(`Two different schemas carry the id ${id}`);
      this.found[io].set(id, text);
    }
    return markRefs(rest, io) as JsonSchema;
  }

  /** `document` with its references resolved, and the components it refers to. */
  resolve<T>(document: T): { document: T; schemas: Record<string, JsonSchema> } {
    this.split = this.formsThatDiffer();
    const all: [string, unknown][] = [];
    for (const [id, text] of this.found.output) all.push([id, JSON.parse(text)]);
    for (const [id, text] of this.found.input) if (this.nameOf(id, 'input') !== id || !this.found.output.has(id)) all.push([this.nameOf(id, 'input'), JSON.parse(text)]);
    all.sort(([a], [b]) => a.localeCompare(b));
    return { document: this.resolveRefs(document) as T, schemas: this.resolveRefs(Object.fromEntries(all)) as Record<string, JsonSchema> };
  }

  private split = new Set<string>();

  /**
   * The ids whose input form is not their output form: they differ themselves, or refer to one
   * that does (then the shared name would point the input at the wrong form).
   */
  private formsThatDiffer(): Set<string> {
    const differ = new Set<string>();
    for (const [id, text] of this.found.input) {
      const output = this.found.output.get(id);
      if (output !== undefined && output !== text.replaceAll(MARK.input, MARK.output)) differ.add(id);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const [id, text] of this.found.input) {
        if (differ.has(id) || !this.found.output.has(id)) continue;
        if ([...differ].some((other) => text.includes(`"${MARK.input}${other}"`))) {
          differ.add(id);
          grew = true;
        }
      }
    }
    return differ;
  }

  /** The output form keeps the id; an input form shares it unless the two differ. */
  private nameOf(id: string, io: 'input' | 'output'): string {
    return io === 'input' && this.split.has(id) ? `${id}Input` : id;
  }

  private resolveRefs(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveRefs(item));
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        if (key !== '$ref' || typeof item !== 'string') return [key, this.resolveRefs(item)];
        for (const io of ['input', 'output'] as const) {
          if (item.startsWith(MARK[io])) return [key, `#/components/schemas/${this.nameOf(item.slice(MARK[io].length), io)}`];
        }
        return [key, item];
      }),
    );
  }
}

/** Until the end, a reference says which form (input or output) of the named schema it means. */
const MARK = { input: '#/$defs.input/', output: '#/$defs.output/' } as const;

function markRefs(value: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(value)) return value.map((item) => markRefs(item, io));
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) =>
      key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/') ? [key, MARK[io] + item.slice('#/$defs/'.length)] : [key, markRefs(item, io)],
    ),
  );
}

function schemaParameters(components: ComponentSchemas, schema: z.ZodType | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const json = components.add(schema, 'input') as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

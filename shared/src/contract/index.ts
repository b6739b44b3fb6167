/**
 * The API contract, declared once: zod schemas the server validates requests with and documents
 * /openapi.json from, and the types every client (Mini Program, console, ops CLI) infers from them.
 * A separate entry point from '@fapiao/shared' (imported as '@fapiao/shared/contract'), so the Mini
 * Program, which imports only its types, never loads zod at run time.
 */
export * from './common';
export * from './mp';
export * from './admin-invoices';
export * from './admin-settings';
export * from './admin-console';
export * from './channel';
export * from './admin-jobs';

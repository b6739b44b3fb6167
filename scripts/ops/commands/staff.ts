import crypto from 'node:crypto';
import type { Command } from 'commander';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { json, table } from '../format';

const ROLES = ['viewer', 'operator', 'admin'];

/** The console's staff accounts. The first admin is made here, with an admin API key. */
export function registerStaff(program: Command, ctx: Context): void {
  const staff = program.command('staff').summary("the merchant console's staff accounts").description("The merchant console's staff accounts (viewer, operator, admin).");
  staff
    .command('add')
    .argument('<username>', 'login name, shown in the audit log: 2-32 of a-z 0-9 . _ -')
    .requiredOption('--name <name>', "the person's name, shown in the console")
    .option('--role <role>', `${ROLES.join(', ')}`, 'viewer')
    .option('--json', 'print JSON')
    .description(
      'Add a staff account. The password is taken from FAPIAO_STAFF_PASSWORD (never a flag: it would show in ps and the shell history); ' +
        'without it one is generated and printed once',
    )
    .action(async (username: string, opts: { name: string; role: string; json?: boolean }) => {
      if (!ROLES.includes(opts.role)) throw new UsageError(`--role: "${opts.role}" is not one of ${ROLES.join(', ')}`);
      const given = ctx.io.env.FAPIAO_STAFF_PASSWORD;
      const password = given || crypto.randomBytes(12).toString('base64url');
      const added = await ctx.client().addStaff({ username, displayName: opts.name, role: opts.role, password });
      if (opts.json) ctx.out(json({ ...added, ...(given ? {} : { password }) }));
      else {
        ctx.out(`Staff account ${added.username} (${added.displayName}, ${added.role}) added.`);
        if (!given) ctx.out(`Password (shown once): ${password}`);
        ctx.out(`Log in at ${ctx.client().server}/console/`);
      }
    });
  staff
    .command('list')
    .option('--json', 'print JSON')
    .description('Staff accounts')
    .action(async (opts: { json?: boolean }) => {
      const list = await ctx.client().listStaff();
      if (opts.json) ctx.out(json(list));
      else ctx.out(table(['username', 'name', 'role', 'enabled', 'created by'], list.map((s) => [s.username, s.displayName, s.role, s.disabled ? 'no' : 'yes', s.createdBy])));
    });
}

import { Command, CommanderError, Option } from 'commander';
import { registerInvoices } from './commands/invoices';
import { registerOrders } from './commands/orders';
import { registerReconcile } from './commands/reconcile';
import { registerPlatform, registerSettings, SETUP_ORDER } from './commands/settings';
import { registerStaff } from './commands/staff';
import { Context, DEFAULT_SERVER, type GlobalOptions, type Io } from './context';
import { CliError, redact } from './errors';
import { EXIT, EXIT_CODE_HELP, type ExitCode } from './exit-codes';
import { escapeControlCharacters } from '../../shared/src/text';

const ENVIRONMENT = `Environment:
  FAPIAO_SERVER          the server's base URL (default ${DEFAULT_SERVER}); --server wins
  FAPIAO_ADMIN_KEY       an admin API key (one of the server's ADMIN_API_KEYS); never printed
  FAPIAO_ADMIN_KEY_FILE  or a file holding the key (like --admin-key-file)`;

function exitCodeHelp(): string {
  return `Exit codes:\n${EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padStart(2)}  ${text}`).join('\n')}`;
}

/** The whole command tree, writing to `io`. */
function buildProgram(io: Io): { program: Command; ctx: Context } {
  const program = new Command('ops');
  const ctx = new Context(io, () => program.opts<GlobalOptions>());
  program
    .description('Merchant ops for Fapiao: set the merchant up with WeChat, import orders, handle and reconcile invoice requests, over the admin API of a running server.')
    .addOption(new Option('-s, --server <url>', `the server's base URL (env FAPIAO_SERVER; default ${DEFAULT_SERVER})`))
    .addOption(new Option('--admin-key-file <file>', 'read the admin key from this file (else env FAPIAO_ADMIN_KEY)'))
    .addOption(new Option('--request-timeout <seconds>', 'how long to wait for one answer from the server (default 30)'))
    .addOption(new Option('--progress', 'draw progress bars even when stderr is not a terminal'))
    .addOption(new Option('--no-progress', 'never draw progress bars'))
    .helpOption('-h, --help', 'show help for this command')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
${SETUP_ORDER}

Daily work:
  ops orders import orders.csv           idempotent; reports created / skipped / invalid rows
  ops invoices list --status ISSUE_FAILED
  ops invoices show <id>                 details, state history, admin actions
  ops invoices retry <id> | reject <id> --reason <text> | offset <id>
  ops invoices reconcile --since 1d      exits 1 when something needs a human

${ENVIRONMENT}

${exitCodeHelp()}

Every command has --help (ops invoices reconcile --help). Global options may come before or
after the command. Results go to stdout (--json for machines); notes, warnings, progress and
errors to stderr.`,
    );

  registerSettings(program, ctx);
  registerPlatform(program, ctx);
  registerOrders(program, ctx);
  const invoices = registerInvoices(program, ctx);
  registerReconcile(invoices, ctx);
  registerStaff(program, ctx);
  // Commands created after the settings above inherit them (output, exitOverride, help after errors).
  return { program, ctx };
}

/** Runs the CLI over `argv` (without node and the script); resolves with the exit code. */
export async function runCli(argv: string[], io: Io): Promise<ExitCode> {
  const { program, ctx } = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, successfully; a bare group ("ops invoices") shows its help.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.OK;
      if (err.code === 'commander.help') return EXIT.USAGE;
      return EXIT.USAGE;
    }
    // Server messages may quote what a buyer typed: secrets out, control characters escaped.
    const clean = (text: string) => escapeControlCharacters(redact(text, ctx.secrets));
    if (err instanceof CliError) {
      io.stderr.write(`error: ${clean(err.message)}\n`);
      if (err.hint) io.stderr.write(`hint: ${clean(err.hint)}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: unexpected failure: ${clean(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
    return EXIT.UNEXPECTED;
  }
}

/**
 * Exit codes of the ops CLI. Stable: scripts and cron jobs switch on them, so a number is never
 * reused for another meaning. `ops --help` and the README print this table.
 */
export const EXIT = {
  /** Done; nothing needs attention. */
  OK: 0,
  /** Done, but something needs a human: reconcile found mismatches or stuck requests, or could not check everything. */
  ATTENTION: 1,
  /** The command line is wrong (unknown command or option, missing or malformed value, unreadable file); nothing was sent. */
  USAGE: 2,
  /** The server cannot be reached, did not answer in time, is unavailable (database down, shutting down) or is not a Fapiao server. */
  UNREACHABLE: 3,
  /** No admin key was given, or the server refused it. */
  AUTH: 4,
  /** The input failed validation (the message names the fields); for `orders import`: at least one row was invalid. */
  VALIDATION: 5,
  /** WeChat refused the call (the message has its errcode and what to do) or could not be reached. */
  WECHAT: 6,
  /** No such invoice request (or order). */
  NOT_FOUND: 7,
  /** The request is not in a state that allows this action, or it moved on meanwhile. */
  CONFLICT: 8,
  /** Something unexpected failed (the server's INTERNAL error, or a bug in this tool). */
  UNEXPECTED: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for `--help` and the README. */
export const EXIT_CODE_HELP: readonly [ExitCode, string][] = [
  [EXIT.OK, 'done'],
  [EXIT.ATTENTION, 'done, but something needs a human (reconcile: mismatch, stuck, or not all checked)'],
  [EXIT.USAGE, 'wrong command line, or a file that cannot be read; nothing was sent'],
  [EXIT.UNREACHABLE, 'server unreachable, too slow, unavailable, or not a Fapiao server'],
  [EXIT.AUTH, 'no admin key, or the server refused it'],
  [EXIT.VALIDATION, 'input failed validation (fields named); import: some rows were invalid'],
  [EXIT.WECHAT, 'WeChat refused (errcode shown) or could not be reached'],
  [EXIT.NOT_FOUND, 'no such invoice request or order'],
  [EXIT.CONFLICT, 'not allowed in the request’s current state (or it moved on)'],
  [EXIT.UNEXPECTED, 'unexpected failure (server INTERNAL error, or a bug here)'],
];

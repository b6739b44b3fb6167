import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Runs a Dockerfile's steps as a script, without Docker: each stage is a directory standing for
 * its WORKDIR (/app), COPY copies from the build context (minus what .dockerignore names) or from
 * an earlier stage, RUN runs in the stage's directory with its ENV. Enough for Fapiao's own
 * Dockerfile (one WORKDIR, exec-form CMD and HEALTHCHECK); anything else is refused, so a change to
 * the Dockerfile that this cannot follow fails the test instead of passing unchecked.
 *
 * Differences from a real build, by design: the base image (node:20-slim) is this machine's Node;
 * USER is recorded, not switched to; and a full `npm ci` (dev dependencies included, used only to
 * compile) is replaced by links to the checkout's node_modules, installed from the same lock file,
 * to keep the test lean. `npm ci --omit=dev` (what the image runs with) runs for real.
 */
export interface Stage {
  name: string;
  dir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
  /** What was done, step by step, for the test's output. */
  log: string[];
}

const WORKDIR = '/app';

export function runDockerfile(opts: { dockerfile: string; context: string; into: string; env?: Record<string, string> }): Map<string, Stage> {
  const ignored = readDockerignore(opts.context);
  const stages = new Map<string, Stage>();
  let stage: Stage | undefined;
  for (const [keyword, rest] of instructions(fs.readFileSync(opts.dockerfile, 'utf8'))) {
    if (keyword === 'FROM') {
      const match = /^(\S+)\s+AS\s+(\S+)$/i.exec(rest);
      if (!match) throw new Error(`FROM without AS: ${rest}`);
      const [, image, name] = match as unknown as [string, string, string];
      const parent = stages.get(image);
      // A stage built FROM an earlier one continues in its directory (it is built last here).
      stage = parent
        ? { name, dir: parent.dir, env: { ...parent.env }, log: [`FROM ${image} (continues its directory)`] }
        : { name, dir: path.join(opts.into, name), env: {}, log: [`FROM ${image} (this machine's Node ${process.version})`] };
      fs.mkdirSync(stage.dir, { recursive: true });
      stages.set(name, stage);
      continue;
    }
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (keyword) {
      case 'WORKDIR':
        if (rest !== WORKDIR) throw new Error(`only WORKDIR ${WORKDIR} is supported, not ${rest}`);
        break;
      case 'ENV': {
        const match = /^([A-Z_][A-Z0-9_]*)=(\S*)$/.exec(rest);
        if (!match) throw new Error(`ENV must be NAME=value: ${rest}`);
        stage.env[match[1] as string] = match[2] as string;
        break;
      }
      case 'COPY':
        copy(stage, rest, opts.context, ignored, stages);
        break;
      case 'RUN':
        run(stage, rest, opts);
        break;
      case 'USER':
        stage.user = rest;
        break;
      case 'CMD':
        stage.cmd = JSON.parse(rest) as string[];
        break;
      case 'HEALTHCHECK': {
        const match = /CMD\s+(\[.*\])$/.exec(rest);
        if (!match) throw new Error(`HEALTHCHECK must use exec-form CMD: ${rest}`);
        stage.healthcheck = JSON.parse(match[1] as string) as string[];
        break;
      }
      case 'EXPOSE':
        break;
      default:
        throw new Error(`Dockerfile instruction ${keyword} is not supported by this script`);
    }
    stage.log.push(`${keyword} ${rest.slice(0, 120)}`);
  }
  return stages;
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): [string, string][] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const space = line.indexOf(' ');
      return [line.slice(0, space).toUpperCase(), line.slice(space + 1).trim()];
    });
}

function readDockerignore(context: string): string[] {
  const file = path.join(context, '.dockerignore');
  if (!fs.existsSync(file)) return [];
  // Only the forms Fapiao's .dockerignore uses: a name, or **/name (that name at any depth).
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function isIgnored(relative: string, patterns: string[]): boolean {
  const parts = relative.split(path.sep);
  return patterns.some((p) => (p.startsWith('**/') ? parts.includes(p.slice(3)) : relative === p || relative.startsWith(`${p}${path.sep}`)));
}

function copy(stage: Stage, rest: string, context: string, ignored: string[], stages: Map<string, Stage>): void {
  const words = rest.split(/\s+/);
  let fromStage: Stage | undefined;
  if (words[0]?.startsWith('--from=')) {
    const name = words.shift()!.slice('--from='.length);
    fromStage = stages.get(name);
    if (!fromStage) throw new Error(`COPY --from=${name}: no such stage`);
  }
  const dest = words.pop();
  if (!dest || words.length === 0) throw new Error(`COPY needs a source and a destination: ${rest}`);
  const destPath = path.join(stage.dir, dest);
  const intoDirectory = dest.endsWith('/') || words.length > 1;
  for (const source of words) {
    let from: string;
    if (fromStage) {
      if (!source.startsWith(`${WORKDIR}/`)) throw new Error(`COPY --from sources must be under ${WORKDIR}: ${source}`);
      from = path.join(fromStage.dir, source.slice(WORKDIR.length + 1));
    } else {
      if (isIgnored(path.normalize(source), ignored)) throw new Error(`COPY ${source}: .dockerignore excludes it`);
      from = path.join(context, source);
    }
    if (!fs.existsSync(from)) throw new Error(`COPY ${source}: not found`);
    const target = intoDirectory && !fs.statSync(from).isDirectory() ? path.join(destPath, path.basename(from)) : destPath;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.cpSync(from, target, {
      recursive: true,
      filter: (file) => fromStage !== undefined || !isIgnored(path.relative(context, file), ignored),
    });
  }
}

function run(stage: Stage, command: string, opts: { context: string; env?: Record<string, string> }): void {
  // Run here, it would empty this machine's shared npm cache under every other npm process.
  if (/npm cache clean/.test(command)) throw new Error(`RUN ${command}: npm cache clean is not run by this script`);
  if (/^npm ci\b/.test(command) && !command.includes('--omit=dev')) {
    linkNodeModules(path.join(opts.context, 'node_modules'), path.join(stage.dir, 'node_modules'));
    stage.log.push(`  (replaced by links to the checkout's node_modules: ${command})`);
    return;
  }
  execFileSync('sh', ['-c', command], {
    cwd: stage.dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env, ...stage.env },
    stdio: 'pipe',
    timeout: 10 * 60_000,
  });
}

/**
 * node_modules as links to the checkout's packages, except the workspace packages, which link to
 * this copy's own (so the build compiles and resolves this copy, not the checkout).
 */
function linkNodeModules(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from)) {
    if (entry === '@fapiao') {
      fs.mkdirSync(path.join(to, entry));
      fs.symlinkSync('../../shared', path.join(to, entry, 'shared'));
      fs.symlinkSync('../../server', path.join(to, entry, 'server'));
    } else if (!entry.startsWith('.') || entry === '.bin') {
      fs.symlinkSync(path.join(from, entry), path.join(to, entry));
    }
  }
}

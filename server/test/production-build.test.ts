import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { testDatabaseUri } from './harness/database';
import { TEST_ENV } from './support/app';
import { runDockerfile, type Stage } from './support/dockerfile';
import { repoRoot, spawnProcess, type Spawned } from './support/process';

/**
 * The production build, as the image builds it: the Dockerfile's steps run as a script in a
 * temporary copy (support/dockerfile.ts says what differs from Docker), then the runtime stage is
 * started with `npm run serve` against the test database. Production dependencies only: tsx,
 * ts-jest, the sandbox and the tests are not there to be loaded.
 */
jest.setTimeout(12 * 60_000);

const DEV_ONLY = ['tsx', 'ts-jest', 'typescript', 'jest', 'smtp-server', 'eslint', 'playwright-core'];

let work: string;
let stages: Map<string, Stage>;
let server: Spawned | undefined;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fapiao-image-'));
  stages = runDockerfile({
    dockerfile: path.join(repoRoot, 'Dockerfile'),
    context: repoRoot,
    into: work,
    // The npm cache this machine already has; the registry is still asked for what it lacks.
    env: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
  });
});

afterAll(() => {
  // The group may be gone already (npm and the server exited): nothing left to kill then.
  if (server?.child.pid && server.child.exitCode === null) {
    try {
      process.kill(-server.child.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

function runtime(): Stage {
  const stage = stages.get('runtime');
  if (!stage) throw new Error('the Dockerfile has no runtime stage');
  return stage;
}

describe('the runtime image (Dockerfile, stage runtime)', () => {
  it('holds production dependencies and the compiled server only', () => {
    const { dir, user, env } = runtime();
    expect(env.NODE_ENV).toBe('production');
    expect(user).toBeDefined();
    expect(user).not.toBe('root');
    for (const name of DEV_ONLY) expect(fs.existsSync(path.join(dir, 'node_modules', name))).toBe(false);
    for (const name of ['koa', 'mongoose', 'pino', 'prom-client', 'nodemailer']) expect(fs.existsSync(path.join(dir, 'node_modules', name))).toBe(true);
    const files = fs.readdirSync(path.join(dir, 'server'), { recursive: true }).map(String);
    expect(files).toContain(path.join('dist', 'main.js'));
    expect(files.filter((f) => /(^|\/)(sandbox|test|bench)(\/|$)|\.test\.js$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'server', 'sandbox'))).toBe(false);
    // Nor the emulator's side of the push protocol (sealing a push as WeChat sends it): it lives in
    // server/sandbox, and nothing the server compiles may pull it in.
    const compiled = files.filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(dir, 'server', f), 'utf8'));
    expect(compiled.length).toBeGreaterThan(50);
    expect(compiled.filter((source) => source.includes('sealPush'))).toEqual([]);
    // Node's own resolution from the server's directory cannot find the development tools either.
    const probe = spawnSync(process.execPath, ['-e', "require.resolve('tsx'); require.resolve('ts-jest')"], { cwd: path.join(dir, 'server', 'dist') });
    expect(probe.status).not.toBe(0);
  });

  it('npm run serve answers /readyz against the database, passes its HEALTHCHECK and stops on SIGTERM', async () => {
    const { dir, env, cmd, healthcheck } = runtime();
    expect(cmd).toEqual(['node', 'server/dist/main.js']);
    expect((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve).toBe('node server/dist/main.js');
    const port = await freePort();
    const processEnv = { ...TEST_ENV, ...env, MONGODB_URI: testDatabaseUri(), HOST: '127.0.0.1', PORT: String(port), WORKER_ENABLED: 'true' };
    // Its own process group: SIGTERM goes to npm and the server, as a terminal's Ctrl-C or a
    // supervisor's stop does (the image runs node itself as PID 1, without npm).
    server = spawnProcess('npm', ['run', 'serve'], { cwd: dir, env: processEnv, detached: true });
    await server.waitForLine(/"msg":"listening"/, 60_000);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    // The merchant console was built into the image and is served, with its CSP.
    const consolePage = await fetch(`http://127.0.0.1:${port}/console/`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await consolePage.text())?.[1];
    const asset = await fetch(`http://127.0.0.1:${port}${script}`);
    expect(asset.status).toBe(200);
    // Read to the end: a response left half-read keeps its connection busy through the shutdown below.
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    expect(healthcheck?.[0]).toBe('node');
    const check = spawnSync(process.execPath, healthcheck!.slice(1), { cwd: dir, env: { ...processEnv, PATH: process.env.PATH } });
    expect(check.status).toBe(0);

    process.kill(-server.child.pid!, 'SIGTERM');
    await server.waitForLine(/"msg":"stopped"/, 30_000);
    await server.exited;
    expect(server.output()).toContain('"msg":"stopped"');
    // With the server gone, the same HEALTHCHECK fails: it is not a check that cannot fail.
    expect(spawnSync(process.execPath, healthcheck!.slice(1), { cwd: dir, env: { ...processEnv, PATH: process.env.PATH } }).status).not.toBe(0);
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(fs.readFileSync(path.join(repoRoot, 'deploy', 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };
  interface Service {
    image?: string;
    build?: { context: string; dockerfile: string; target: string };
    command?: string[];
    profiles?: string[];
    env_file?: string;
    depends_on?: Record<string, { condition: string }>;
    environment?: Record<string, string>;
  }
  /** Images pulled from Docker Hub, and the programs of theirs the file runs (not checked here: no Docker). */
  const PULLED: Record<string, string[]> = { 'mongo:8.0': ['mongod', 'mongosh'] };

  it('is a 3-member replica set, initiated once, with two Fapiao replicas and the sandbox behind a profile', () => {
    const services = compose.services;
    const mongos = Object.keys(services).filter((name) => /^mongo\d$/.test(name));
    expect(mongos).toHaveLength(3);
    for (const name of mongos) expect(services[name]?.command).toEqual(['mongod', '--replSet', 'rs0', '--bind_ip_all']);
    const init = services['mongo-init']!;
    expect(init.command?.join(' ')).toContain("rs.initiate({ _id: 'rs0'");
    for (const name of mongos) expect(init.command?.join(' ')).toContain(`host: '${name}:27017'`);
    const replicas = Object.entries(services).filter(([, s]) => s.build?.target === 'runtime');
    expect(replicas.map(([name]) => name)).toEqual(['fapiao-1', 'fapiao-2']);
    for (const [, service] of replicas) {
      expect(service.environment?.MONGODB_URI).toBe('mongodb://mongo1:27017,mongo2:27017,mongo3:27017/fapiao?replicaSet=rs0&w=majority&retryWrites=true');
      expect(service.depends_on?.['mongo-init']).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(services.sandbox?.profiles).toEqual(['sandbox']);
    expect(Object.entries(services).filter(([, s]) => s.profiles).map(([name]) => name)).toEqual(['sandbox']);
  });

  it('names only images, stages, files and commands that exist', () => {
    const dockerfileStages = new Set(stages.keys());
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dependency);
      if (service.env_file) expect(fs.existsSync(path.join(repoRoot, 'deploy', `${service.env_file}.example`))).toBe(true);
      if (service.build) {
        expect(path.resolve(repoRoot, 'deploy', service.build.context)).toBe(repoRoot);
        expect(service.build.dockerfile).toBe('Dockerfile');
        expect(dockerfileStages.has(service.build.target)).toBe(true);
        // The command (or the stage's CMD) is a file in that stage.
        const stage = stages.get(service.build.target)!;
        const command = service.command ?? stage.cmd!;
        const program = command[0] === 'node' ? command[1]! : command[0]!;
        expect(fs.existsSync(path.join(stage.dir, program))).toBe(true);
        if (command[0] !== 'node') expect(fs.existsSync(path.join(stage.dir, command[1]!))).toBe(true);
      } else {
        const programs = PULLED[service.image ?? ''];
        if (!programs) throw new Error(`service ${name} uses image ${service.image}, which this test does not know`);
        if (service.command) expect(programs).toContain(service.command[0]);
      }
    }
  });

  it('its example environment files configure what the server requires', () => {
    const example = fs.readFileSync(path.join(repoRoot, 'deploy', 'fapiao.env.example'), 'utf8');
    const names = new Set(example.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]));
    const required = execFileSync(process.execPath, ['-e', "const c=require('./server/dist/config.js');console.log(JSON.stringify(c.describeConfig().filter(v=>v.required).map(v=>v.name)))"], {
      cwd: runtime().dir,
    }).toString();
    for (const name of JSON.parse(required) as string[]) {
      if (name === 'MONGODB_URI') continue; // set by the compose file itself
      expect(names).toContain(name);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

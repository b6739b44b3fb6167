import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startChildServer, type ChildServer } from './child-server';
import { freePort } from './free-port';
import { withLock } from './lock';
import { dataDir } from './paths';

/** Pinned in java/pom.xml; named here for logs and notes. */
export const JAVA_SERVER_VERSION = 'mongo-java-server 1.47.0';

const sourceDir = path.join(__dirname, 'java');
const installDir = path.join(dataDir, 'java-server');
const libDir = path.join(installDir, 'lib');
const classesDir = path.join(installDir, 'classes');
const stampFile = path.join(installDir, 'stamp');

/**
 * Makes mongo-java-server runnable: its jars from Maven Central (through Maven, so a proxy or
 * mirror in ~/.m2/settings.xml is honoured) and our launcher compiled. False when Java or
 * Maven is missing or the fetch fails; the caller then tries the next database.
 */
export async function ensureJavaServer(log: (line: string) => void): Promise<boolean> {
  if (!['java', 'javac', 'mvn'].every(onPath)) return false;
  const stamp = sourceStamp();
  if (readStamp() === stamp) return true;
  let ok = false;
  await withLock(`${installDir}.lock`, () => {
    if (readStamp() === stamp) return void (ok = true);
    log(`fetching ${JAVA_SERVER_VERSION} with Maven (first run only)…`);
    fs.rmSync(installDir, { recursive: true, force: true });
    fs.mkdirSync(classesDir, { recursive: true });
    try {
      execFileSync('mvn', ['-q', '-B', '-f', path.join(sourceDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
      execFileSync('javac', ['-d', classesDir, '-cp', path.join(libDir, '*'), path.join(sourceDir, 'FapiaoMongoServer.java')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      fs.writeFileSync(stampFile, stamp);
      ok = true;
    } catch (err) {
      const output = String((err as { stderr?: Buffer; stdout?: Buffer }).stdout ?? '') + String((err as { stderr?: Buffer }).stderr ?? '');
      log(`${JAVA_SERVER_VERSION} unavailable: ${(err as Error).message.split('\n')[0]}\n${output.split('\n').slice(-10).join('\n')}`);
    }
  });
  return ok;
}

/** Starts mongo-java-server (in memory) on a free loopback port; it stops when we exit. */
export async function startJavaServer(): Promise<{ uri: string; server: ChildServer }> {
  const port = await freePort();
  const server = await startChildServer({
    name: JAVA_SERVER_VERSION,
    // The JVM has no parent-death option: the wrapper stops it if we are killed.
    command: path.join(__dirname, 'watch-owner.sh'),
    args: ['java', '-Xmx2g', '-cp', `${path.join(libDir, '*')}${path.delimiter}${classesDir}`, 'FapiaoMongoServer', String(port)],
    port,
    logFile: path.join(dataDir, 'java-server.log'),
  });
  return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, server };
}

function sourceStamp(): string {
  const hash = crypto.createHash('sha256');
  for (const file of ['pom.xml', 'FapiaoMongoServer.java']) hash.update(fs.readFileSync(path.join(sourceDir, file)));
  return hash.digest('hex');
}

function readStamp(): string | undefined {
  return fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8') : undefined;
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

import fs from 'node:fs';
import path from 'node:path';

/**
 * CPU profiles of the server during a benchmark, when BENCH_PROFILE is set: V8's own sampling
 * profiler (`node --cpu-prof`), written when the process exits, summarised by where the time went.
 */
export function profileDir(name: string): string {
  return path.join(__dirname, '..', 'results', 'profiles', name);
}

/** The server's node flags that turn profiling on (none unless BENCH_PROFILE is set). */
export function profileFlags(name: string): string[] {
  if (!process.env.BENCH_PROFILE) return [];
  fs.rmSync(profileDir(name), { recursive: true, force: true });
  fs.mkdirSync(profileDir(name), { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`];
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber?: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: a package, a folder of ours, a part of Node, or V8's own work. */
function areaOf(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const ours = /\/((?:server|shared)\/(?:src|sandbox)\/[^/]+)/.exec(url);
  return ours ? (ours[1] as string) : 'other';
}

/** The self time of every profile in `dir`, by area, as note lines (largest first, top 12). */
export function summariseProfiles(dir: string): string[] {
  const totals = new Map<string, number>();
  let all = 0;
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const area = new Map(profile.nodes.map((n) => [n.id, areaOf(n.callFrame)]));
    profile.samples.forEach((id, i) => {
      const micros = profile.timeDeltas[i] ?? 0;
      const name = area.get(id) ?? 'other';
      totals.set(name, (totals.get(name) ?? 0) + micros);
      all += micros;
    });
  }
  if (!all) return ['profile: none written (BENCH_PROFILE set, but the server wrote no .cpuprofile)'];
  const busy = all - (totals.get('(idle)') ?? 0);
  const top = [...totals].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 12);
  return [
    `profile of the Fapiao server (${(busy / 1e6).toFixed(1)} s on CPU of ${(all / 1e6).toFixed(0)} s; share of the CPU time, by self time): ` +
      top.map(([name, micros]) => `${name} ${((100 * micros) / busy).toFixed(0)} %`).join(', '),
    `profiles in ${path.relative(process.cwd(), dir)} (open in Chrome DevTools → Performance)`,
  ];
}

/** The functions with the most self time in the profiles in `dir` (top `n`), for finding what to make cheaper. */
export function topFunctions(dir: string, n = 15): string[] {
  const totals = new Map<string, number>();
  let busy = 0;
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : []) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const label = new Map(
      profile.nodes.map((node) => {
        const { functionName, url, lineNumber } = node.callFrame;
        const where = url ? `${url.replace(/^.*\/(node_modules|server|shared)\//, '$1/')}:${(lineNumber ?? 0) + 1}` : '';
        return [node.id, `${functionName || '(anonymous)'} ${where}`.trim()];
      }),
    );
    profile.samples.forEach((id, i) => {
      const name = label.get(id) ?? 'other';
      if (name === '(idle)') return;
      const micros = profile.timeDeltas[i] ?? 0;
      totals.set(name, (totals.get(name) ?? 0) + micros);
      busy += micros;
    });
  }
  if (!busy) return [];
  const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [`top functions by self time: ${top.map(([name, micros]) => `${name} ${((100 * micros) / busy).toFixed(1)} %`).join('; ')}`];
}

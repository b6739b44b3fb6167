/** What one benchmark measured: figures, ratios between figures of the same run, and notes. */
interface Figure {
  name: string;
  value: number;
  unit: string;
}

interface Ratio {
  name: string;
  value: number;
  /** What the ratio says, in a few words. */
  meaning: string;
}

export interface BenchResult {
  name: string;
  title: string;
  figures: Figure[];
  ratios: Ratio[];
  /** Resident set size of the measured server process at the end, in MB (label says which process). */
  rss: { process: string; mb: number } | undefined;
  /** Anything a reader needs to interpret the figures (how it ran, what was not possible). */
  notes: string[];
  /** Machine-readable extras (e.g. the query plan). */
  details?: Record<string, unknown>;
  seconds: number;
}

const round = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(1) : value.toPrecision(2));

/** One plain-text table per benchmark: figures, then ratios, then the server's RSS and notes. */
export function formatResult(result: BenchResult): string {
  const rows: [string, string][] = [
    ...result.figures.map((f): [string, string] => [f.name, `${round(f.value)} ${f.unit}`.trim()]),
    ...result.ratios.map((r): [string, string] => [`ratio: ${r.name}`, `${round(r.value)}  (${r.meaning})`]),
  ];
  if (result.rss) rows.push([`RSS at end (${result.rss.process})`, `${round(result.rss.mb)} MB`]);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`\n== ${result.title} (${result.seconds.toFixed(0)} s) ==`, ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

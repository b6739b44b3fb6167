/** Types of mp-package.js (plain JavaScript so that the Mini Program build needs no compiler step). */
export interface MainPackage {
  /** Every file WeChat uploads in the main package, relative to the Mini Program root. */
  files: { file: string; bytes: number }[];
  bytes: number;
  /** References that resolve to no file ("file: ref"). */
  missing: string[];
  limitBytes: number;
}
export const MAIN_PACKAGE_LIMIT_BYTES: number;
export function mainPackage(mpRoot: string): MainPackage;
export function packageProblems(pkg: MainPackage): string[];
export function reachableFiles(mpRoot: string, entries?: string[]): { files: string[]; missing: string[] };
export function resolveComponent(mpRoot: string, fromFile: string, ref: string): { base: string; files: string[] } | { base?: undefined; tried: string[] };
export function directoryBytes(dir: string): number;

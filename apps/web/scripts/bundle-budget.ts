// Performance budget: the JavaScript a browser must load before the contacts page renders (the
// entry chunk and everything it imports statically) stays ≤ 250 KB gzipped. Lazy chunks
// (insights, recharts, papaparse) are excluded: they load on demand. Run after `vite build`.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

const BUDGET_KB = Number(process.env.WEB_JS_BUDGET_KB ?? 250);
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8")) as Record<string, ManifestChunk>;

const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
if (!entryKey) throw new Error("No entry chunk in dist/.vite/manifest.json — run `vite build` first");

const initial = new Set<string>();
const css = new Set<string>();
const visit = (key: string) => {
  if (initial.has(key)) return;
  initial.add(key);
  const chunk = manifest[key]!;
  for (const c of chunk.css ?? []) css.add(c);
  for (const next of chunk.imports ?? []) visit(next);
};
visit(entryKey);

const gzipKb = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;
let totalKb = 0;
for (const key of initial) {
  const { file } = manifest[key]!;
  const kb = gzipKb(file);
  totalKb += kb;
  console.log(`  ${file.padEnd(44)} ${kb.toFixed(1).padStart(7)} KB gz`);
}
const cssKb = [...css].reduce((sum, file) => sum + gzipKb(file), 0);
const lazy = Object.values(manifest).filter((c) => !initial.has(Object.keys(manifest).find((k) => manifest[k] === c)!) && c.file.endsWith(".js"));
const lazyKb = lazy.reduce((sum, c) => sum + gzipKb(c.file), 0);

console.log(`initial JS of the contacts page: ${totalKb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB); CSS ${cssKb.toFixed(1)} KB; lazy chunks ${lazyKb.toFixed(1)} KB`);
if (totalKb > BUDGET_KB) {
  console.error(`over budget by ${(totalKb - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}

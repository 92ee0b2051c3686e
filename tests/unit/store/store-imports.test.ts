import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const STORE = resolve(import.meta.dirname, '../../../src/main/store');

/** Every module the store loads at run time (relative imports followed, `import type` skipped). */
function runtimeGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    graph.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s));
  };
  const walk = (dir: string) => readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && visit(join(dir, e.name))));
  walk(STORE);
  return graph;
}

describe('store dependencies', () => {
  it('never loads tfjs, electron or the engine beyond the suspects contract (rule from the architecture)', () => {
    const graph = runtimeGraph();
    const bad = [...graph].flatMap(([file, specs]) => specs.filter((s) => /tensorflow|electron|onnxruntime/.test(s)).map((s) => `${file} → ${s}`));
    expect(bad).toEqual([]);
    const engine = [...graph.keys()].filter((f) => f.includes('/engine/')).map((f) => f.slice(f.indexOf('/engine/')));
    expect(engine.sort()).toEqual(['/engine/suspects/accounted-suspect.ts', '/engine/suspects/types.ts']);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The rule of docs/architecture.md, enforced: a folder of src/ may import only from folders of a
 * lower layer (or from itself). Layers, top to bottom:
 *
 *   cli → commands → runner → jobs → sources → run → lake | tables → connections → core
 *
 * and beside them, under commands, the warehouse tools: looker | dashboard → snowflake | warehouse
 * → sql → lake | tables. Folders of one layer (lake and tables, looker and dashboard, …) do not
 * import each other. Type-only imports count: they tie the folders as much as any other.
 */
const LAYERS: Record<string, number> = {
  core: 0,
  connections: 1,
  lake: 2,
  tables: 2,
  generate: 2,
  run: 3,
  sql: 3,
  sources: 4,
  warehouse: 4,
  jobs: 5,
  snowflake: 5,
  looker: 6,
  dashboard: 6,
  runner: 7,
  commands: 8,
  cli: 9,
};

const SRC = path.join(__dirname, '../../src');

/** Every .ts file under src/, relative to it. */
function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The folder (layer) of a file under src/: its first path segment; files at the top are the cli. */
const folderOf = (file: string) => (file.includes(path.sep) ? file.split(path.sep)[0] : 'cli');

/** Every import of a file: static, export-from, dynamic `import()` and `require()`, type-only included. */
export function importsOf(file: string, text: string): { from: string; to: string; spec: string }[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => ({ from: folderOf(file), to: folderOf(path.relative(SRC, path.resolve(SRC, path.dirname(file), spec))), spec }));
}

/** Folder-level edges of src/, each with the files that make it. */
function folderEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    for (const edge of importsOf(file, fs.readFileSync(path.join(SRC, file), 'utf8'))) {
      if (edge.from === edge.to) continue;
      const key = `${edge.from} -> ${edge.to}`;
      edges.set(key, [...(edges.get(key) ?? []), `${file} imports ${edge.spec}`]);
    }
  }
  return edges;
}

/** Folder cycles (strongly connected components of more than one folder), by Tarjan's algorithm. */
export function folderCycles(edges: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    const [a, b] = edge.split(' -> ');
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

test('every folder of src/ has a layer', () => {
  const folders = new Set(sourceFiles().map(folderOf));
  expect([...folders].filter((f) => !(f in LAYERS))).toEqual([]);
});

test('no import runs up a layer or across one', () => {
  const violations = [...folderEdges()].filter(([edge]) => {
    const [from, to] = edge.split(' -> ');
    return LAYERS[to] >= LAYERS[from];
  });
  expect(violations.map(([edge, files]) => `${edge}: ${files.join('; ')}`)).toEqual([]);
});

test('no folder cycle', () => {
  expect(folderCycles(folderEdges().keys())).toEqual([]);
});

test('the checks catch what they are for (an upward import, a cycle)', () => {
  expect(importsOf('run/x.ts', "import type { A } from '../jobs/a';\nconst b = require('../runner/b');\nexport * from './c';")).toEqual([
    { from: 'run', to: 'jobs', spec: '../jobs/a' },
    { from: 'run', to: 'runner', spec: '../runner/b' },
    { from: 'run', to: 'run', spec: './c' },
  ]);
  expect(folderCycles(['run -> lake', 'lake -> run', 'jobs -> run'])).toEqual([['lake', 'run']]);
});

test('commands do not import each other: what they share (flags, signals, the local lake) has its own file', () => {
  const commandFiles = sourceFiles(path.join(SRC, 'commands')).filter((f) => f.endsWith('-command.ts'));
  const crossings = commandFiles.flatMap((file) =>
    ts
      .preProcessFile(fs.readFileSync(path.join(SRC, file), 'utf8'), true, true)
      .importedFiles.map((i) => i.fileName)
      .filter((spec) => /^\.\/[a-z-]+-command$/.test(spec))
      .map((spec) => `${file} imports ${spec}`),
  );
  expect(crossings).toEqual([]);
});

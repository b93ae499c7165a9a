import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ini from 'ini';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';

/**
 * The docs stay honest: every `soundlake …` command they show exists with the flags shown, every
 * `[section] key` they name is a setting in config/default.ini, and every relative link resolves.
 */
const ROOT = path.join(__dirname, '..', '..');
const docs = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs'), { recursive: true }).map((f) => path.join('docs', String(f)))].filter((f) => f.endsWith('.md'));
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Text inside inline code spans and fenced code blocks: where commands are shown. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((m) => m[1].split('\n'));
  const inline = [...markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...inline];
}

/** Every problem with one `soundlake …` invocation, or none. */
function checkInvocation(program: Command, words: string[]): string[] {
  let command = program;
  const rest = [...words];
  while (rest.length > 0 && command.commands.length > 0) {
    const sub = command.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0]));
    if (!sub) {
      // A placeholder (`<command>`) or a job name after `run` is fine; an unknown word where a subcommand must be is not.
      if (/^[a-z][a-z-]*$/.test(rest[0]) && command !== program) return [`"${rest[0]}" is no subcommand of ${command.name()}`];
      if (/^[a-z][a-z-]*$/.test(rest[0])) return [`"${rest[0]}" is no command`];
      return [];
    }
    command = sub;
    rest.shift();
  }
  const flags = rest.filter((w) => /^--[a-z][a-z-]*/.test(w)).map((w) => w.replace(/[=,.;:)\]]+.*$/, ''));
  const known = new Set(['--help', '--version', ...command.options.map((o) => o.long).filter((l): l is string => l !== undefined)]);
  return flags.filter((f) => !known.has(f)).map((f) => `${f} is no option of ${command.name()}`);
}

test('every soundlake command and flag the docs show exists', () => {
  const program = buildProgram();
  const problems: string[] = [];
  let shown = 0;
  for (const file of docs) {
    for (const code of codeOf(read(file))) {
      for (const match of code.matchAll(/(?:^|[\s(`"'&|;])(?:npx )?soundlake ((?:[^\s`|;&#]+ ?)+)/g)) {
        const words = match[1].trim().split(/\s+/).filter((w) => !/^[<[{]/.test(w) || /^--/.test(w));
        shown++;
        for (const problem of checkInvocation(program, words)) problems.push(`${file}: \`soundlake ${match[1].trim()}\`: ${problem}`);
      }
    }
  }
  expect(shown).toBeGreaterThan(50); // the scan finds what the docs show
  expect(problems).toEqual([]);
});

test('every [section] key the docs name is a setting in config/default.ini', () => {
  const settings = ini.parse(read('config/default.ini')) as Record<string, Record<string, unknown>>;
  const problems: string[] = [];
  for (const file of docs) {
    for (const match of read(file).matchAll(/\[([a-z][a-z-]*)\] ([a-z][a-z0-9_]*)/g)) {
      const [, section, key] = match;
      if (section === 'section') continue; // the placeholder in prose about settings
      if (!(section in settings)) problems.push(`${file}: [${section}] is no section`);
      else if (!(key in settings[section])) problems.push(`${file}: [${section}] ${key} is no setting`);
    }
  }
  expect(problems).toEqual([]);
});

test('every relative link in the docs resolves', () => {
  const problems: string[] = [];
  for (const file of docs) {
    for (const match of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1].split('#')[0];
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      if (!fs.existsSync(path.join(ROOT, path.dirname(file), target))) problems.push(`${file}: ${match[1]}`);
    }
  }
  expect(problems).toEqual([]);
});

test('the README is a front door: at most 300 lines', () => {
  expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
});

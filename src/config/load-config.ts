// Loads every YAML file of a config directory, merges them, validates with zod and
// checks the references between items; every problem is reported with its position.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { configSchema, LIST_SECTIONS, type Config } from './schema.js';
import { ConfigInvalid, formatPath, type ConfigPath, type Problem } from './problems.js';
import { parseYamlFile, positionOf, type YamlFile } from './yaml-file.js';
import { checkReferences } from './check-references.js';

export interface LoadedConfig {
  dir: string;
  config: Config;
  /** Where a path of the merged config was written, for problems found later (drivers, settings). */
  locate(path: ConfigPath, message: string): Problem;
}

interface Origin {
  source: YamlFile;
  path: ConfigPath;
}

export function configFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new ConfigInvalid([
      { file: dir, line: 1, col: 1, path: '(dir)', message: 'the config directory cannot be read; pass --config DIR' },
    ]);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && statSync(join(dir, n)).isFile())
    .sort()
    .map((n) => join(dir, n));
}

/** Loads and validates; throws ConfigInvalid listing every problem. */
export function loadConfig(dirArg: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const dir = resolve(dirArg);
  const problems: Problem[] = [];
  const sources = configFiles(dir).map((file) =>
    parseYamlFile(relative(process.cwd(), file) || file, readFileSync(file, 'utf8'), env, problems),
  );
  if (sources.length === 0)
    problems.push({ file: dir, line: 1, col: 1, path: '(dir)', message: 'no .yaml or .yml files in the config directory' });

  const merged: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  const fileOf = new Map<string, YamlFile>();
  const at = (source: YamlFile, path: ConfigPath, message: string): Problem => ({
    file: source.file,
    ...positionOf(source, path),
    path: formatPath(path),
    message,
  });

  for (const source of sources) {
    const value = source.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(at(source, [], 'a config file holds a mapping of sections (server, zones, systems, triggers, instances)'));
      continue;
    }
    for (const [key, section] of Object.entries(value)) {
      if ((LIST_SECTIONS as readonly string[]).includes(key)) {
        if (!Array.isArray(section)) {
          problems.push(at(source, [key], `section "${key}" must be a list of items, each starting with "- "`));
          continue;
        }
        const list = (merged[key] ??= []) as unknown[];
        section.forEach((item, i) => {
          origins.set(`${key}.${list.length}`, { source, path: [key, i] });
          list.push(item);
        });
      } else if (key in merged) {
        problems.push(at(source, [key], `section "${key}" is also given in ${fileOf.get(key)?.file}; give it once`));
      } else {
        merged[key] = section;
        fileOf.set(key, source);
      }
    }
  }

  const locate = (path: ConfigPath, message: string): Problem => {
    const [section, index, ...rest] = path;
    const origin = typeof index === 'number' ? origins.get(`${String(section)}.${index}`) : undefined;
    if (origin) return { ...at(origin.source, [...origin.path, ...rest], message), path: formatPath(path) };
    const source = fileOf.get(String(section)) ?? sources[0];
    if (!source) return { file: dir, line: 1, col: 1, path: formatPath(path), message };
    return at(source, path, message);
  };

  if (problems.length > 0) throw new ConfigInvalid(problems);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const found = parsed.error.issues.flatMap((issue) =>
      // Locate each unknown key by its own path (a top-level one may be in any file), not by the mapping holding it.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => locate([...(issue.path as ConfigPath), key], `Unrecognized key: "${key}"`))
        : [locate(issue.path as ConfigPath, issue.message)],
    );
    // In reading order, whatever order the schema checked them in.
    throw new ConfigInvalid(found.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col));
  }
  // A loop, not push(...): a spread of 100,000s of problems overflows the call stack.
  for (const problem of checkReferences(parsed.data, locate)) problems.push(problem);
  if (problems.length > 0) throw new ConfigInvalid(problems);
  return { dir, config: parsed.data, locate };
}

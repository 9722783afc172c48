// Loads every YAML file of a config directory, merges them, validates with zod and
// checks the references between items; every problem is reported with its position.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { checkReferences } from './check-references.js';
import { configParts, type ConfigParts } from './config-parts.js';
import { inFileOrder, type ProblemOrder } from './problem-order.js';
import { configSchema, LIST_SECTIONS, type Config } from './schema.js';
import { describeIssues } from './schema-issues.js';
import { ConfigInvalid, formatPath, type ConfigPath, type Problem } from './problems.js';
import { parseYamlFile, positionOf, type YamlFile } from './yaml-file.js';

export type Locate = (path: ConfigPath, message: string) => Problem;

export interface LoadedConfig {
  dir: string;
  config: Config;
  /** Where a path of the merged config was written, for problems found later (drivers, settings). */
  locate: Locate;
}

/** A config directory read and checked against the schema, whatever the schema said. */
export interface ConfigReading {
  dir: string;
  locate: Locate;
  /** The whole config, when the schema took all of it. */
  config: Config | undefined;
  /** What the schema took, item by item: the checks after it read this, so they still run when it refused something. */
  parts: ConfigParts;
  /** What is wrong so far (unset variables, the schema's refusals). */
  problems: Problem[];
  /** How to list problems in file order, each once. */
  order: ProblemOrder;
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
export function loadConfig(
  dirArg: string,
  env: NodeJS.ProcessEnv = process.env,
  /** The files' texts by name, instead of the directory's (a stored config generation). */
  texts?: Readonly<Record<string, string>>,
): LoadedConfig {
  const { dir, config, locate, parts, problems, order } = readConfig(dirArg, env, texts);
  // A loop, not push(...): a spread of 100,000s of problems overflows the call stack.
  for (const problem of checkReferences(parts, locate)) problems.push(problem);
  if (problems.length > 0 || !config) throw new ConfigInvalid(inFileOrder(problems, order));
  return { dir, config, locate };
}

/**
 * Reads, merges and parses the files. Throws ConfigInvalid only when the files cannot be read as
 * a config at all (YAML errors, sections of the wrong shape); the schema's refusals are returned.
 */
export function readConfig(
  dirArg: string,
  env: NodeJS.ProcessEnv = process.env,
  /** The files' texts by name, instead of the directory's (a stored config generation). */
  texts?: Readonly<Record<string, string>>,
): ConfigReading {
  const dir = resolve(dirArg);
  const problems: Problem[] = [];
  const sources = texts
    ? Object.keys(texts)
        .sort()
        .map((name) => parseYamlFile(name, texts[name]!, env, problems))
    : configFiles(dir).map((file) =>
        parseYamlFile(relative(process.cwd(), file) || file, readFileSync(file, 'utf8'), env, problems),
      );
  // parseYamlFile's problems with a config path are unset variables, whose values are left blank.
  const unset = problems.filter((p) => p.path !== '(yaml)');
  const order: ProblemOrder = { files: sources.map((s) => s.file), unset };
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

  // The database may come from the environment, as platforms hand it over (a URL with its
  // password): SWITCHBOARD_DATABASE overrides server.database, and is checked like it.
  const database = env.SWITCHBOARD_DATABASE;
  if (database && (merged.server === undefined || (typeof merged.server === 'object' && merged.server !== null)))
    merged.server = { ...(merged.server as object | undefined), database };

  // Past a YAML error or a section of the wrong shape, what was merged is not what was meant.
  // A value left blank by an unset variable is reported as that alone (ProblemOrder), so the checks go on.
  if (problems.length > unset.length) throw new ConfigInvalid(inFileOrder(problems, order));
  const parsed = configSchema.safeParse(merged);
  if (parsed.success) return { dir, locate, config: parsed.data, parts: parsed.data, problems, order };
  for (const { path, message } of describeIssues(parsed.error.issues, configSchema)) problems.push(locate(path, message));
  return { dir, locate, config: undefined, parts: configParts(merged), problems, order };
}

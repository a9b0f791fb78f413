import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { envKeysOf } from './env-key.js';

type Ctor<T> = new () => T;
export type ConfigShape = Record<string, Ctor<object>>;
export type LoadedConfig<S extends ConfigShape> = { [K in keyof S]: InstanceType<S[K]> };

/** One bad key: which variable, and what was wrong. The value is never included. */
export interface ConfigProblem {
  key: string;
  problems: string[];
}

/** Thrown at boot when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} key${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.key}: ${p.problems.join('; ')}`).join('\n'),
    );
  }
}

/**
 * Builds and validates a config from environment variables. Each class owns a group of keys
 * (NatsConfig, RedisConfig, the app's own); every key is checked before anything starts, and
 * one error lists all bad keys by name, never by value, so secrets cannot leak into pod logs.
 */
export function loadConfig<S extends ConfigShape>(shape: S, env: NodeJS.ProcessEnv = process.env): LoadedConfig<S> {
  const out = {} as Record<string, object>;
  const problems: ConfigProblem[] = [];
  for (const [group, cls] of Object.entries(shape)) {
    const keys = envKeysOf(cls.prototype);
    const plain: Record<string, unknown> = {};
    const booleans: Record<string, unknown> = {};
    for (const k of keys) {
      const raw = env[k.key];
      if (raw === undefined || raw === '') continue;
      // class-transformer turns any non-empty string into true; booleans are parsed strictly
      // and set after conversion, so "maybe" stays a string and fails @IsBoolean().
      const type = Reflect.getMetadata('design:type', cls.prototype, k.property);
      if (type === Boolean) booleans[k.property] = parseBoolean(raw);
      else plain[k.property] = raw;
    }
    const instance = Object.assign(
      plainToInstance(cls, plain, { enableImplicitConversion: true, exposeDefaultValues: true }),
      booleans,
    );
    const errors = validateSync(instance, { skipMissingProperties: false, forbidUnknownValues: true });
    for (const e of flatten(errors)) {
      const info = keys.find((k) => k.property === e.path[0]);
      problems.push({ key: info?.key ?? `${group}.${e.path.join('.')}`, problems: e.messages });
    }
    out[group] = instance;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as LoadedConfig<S>;
}

function parseBoolean(raw: string): boolean | string {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  return raw; // left as a string so @IsBoolean() reports it
}

interface FlatError {
  path: string[];
  messages: string[];
}

// Messages from class-validator start with the property name; we name the env key instead and
// drop any echo of the offending value (class-validator never includes it, but nested ones could).
function flatten(errors: ValidationError[], prefix: string[] = []): FlatError[] {
  return errors.flatMap((e) => {
    const path = [...prefix, e.property];
    const own = e.constraints ? [{ path, messages: Object.values(e.constraints).map((m) => stripProperty(m, e.property)) }] : [];
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

function stripProperty(message: string, property: string): string {
  return message.startsWith(property + ' ') ? message.slice(property.length + 1) : message;
}

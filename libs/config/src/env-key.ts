import 'reflect-metadata';

const ENV_KEYS = Symbol('accelerboat:env-keys');

export interface EnvKeyOptions {
  /** One line shown in `--help`-style reports and `.env.example` files. */
  description: string;
  /** Marks values that must never be printed (they are not printed anyway; this also hides them from `describeConfig`). */
  secret?: boolean;
}

export interface EnvKeyInfo extends EnvKeyOptions {
  property: string;
  key: string;
}

/**
 * Binds a config property to one environment variable. The property initialiser is the default;
 * the property needs an explicit type annotation (`port: number = 80`), which is what drives the
 * string-to-number/boolean conversion;
 * class-validator decorators on the same property say what a valid value is.
 */
export function EnvKey(key: string, options: EnvKeyOptions): PropertyDecorator {
  return (target, property) => {
    const list: EnvKeyInfo[] = Reflect.getOwnMetadata(ENV_KEYS, target) ?? [...envKeysOf(target)];
    list.push({ ...options, property: String(property), key });
    Reflect.defineMetadata(ENV_KEYS, list, target);
  };
}

/** Every environment variable a config class reads, in declaration order (inherited ones first). */
export function envKeysOf(target: object): EnvKeyInfo[] {
  return Reflect.getMetadata(ENV_KEYS, target) ?? [];
}

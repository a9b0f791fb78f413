import { readFileSync } from 'node:fs';
import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { IsRegistryHost, normalizeRegistryHost } from '@accelerboat/registry-protocol';

/** A configured upstream account; the password is read from a mounted Secret file. */
export class RegistryUser {
  @IsString()
  @MaxLength(256)
  username!: string;

  /** File holding the password (a mounted Kubernetes Secret); preferred over `password`. */
  @IsOptional()
  @IsString()
  passwordFile?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  password?: string;
}

/**
 * One upstream registry the mirror serves. In mirror mode containerd names it with `?ns=`; in
 * custom-domain mode clients reach `proxyHost` (with its own TLS certificate) and mean `originalHost`.
 */
export class RegistryMapping {
  @IsRegistryHost()
  originalHost!: string;

  @IsOptional()
  @IsRegistryHost()
  proxyHost?: string;

  /** `http` only for registries on a trusted network (tests, in-cluster registries). */
  @IsIn(['https', 'http'])
  scheme: 'https' | 'http' = 'https';

  @IsOptional()
  @IsString()
  tlsCertFile?: string;

  @IsOptional()
  @IsString()
  tlsKeyFile?: string;

  /** Accounts tried in turn when the client brings no credential of its own. */
  @IsArray()
  @ArrayMaxSize(32)
  @ValidateNested({ each: true })
  @Type(() => RegistryUser)
  users: RegistryUser[] = [];
}

export class RegistriesFile {
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => RegistryMapping)
  registries: RegistryMapping[] = [];
}

/** Reads and validates the registries file; the error names the bad field, never a value. */
export function loadRegistries(path: string | undefined, inline?: string): RegistryMapping[] {
  const text = inline ?? (path ? readFileSync(path, 'utf8') : '{"registries":[]}');
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch {
    throw new Error(`registries configuration is not valid JSON${path ? ` (${path})` : ''}`);
  }
  const file = plainToInstance(RegistriesFile, plain);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new Error(`registries configuration is invalid: ${describe(errors).join('; ')}`);
  for (const r of file.registries) r.originalHost = normalizeRegistryHost(r.originalHost);
  return file.registries;
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${path}: ${m.replace(/^\S+ /, '')}`), ...describe(e.children ?? [], path)];
  });
}

/** The password of a configured user, read from its file each time it is asked for: the seeder asks per job, the edge-proxy and coordinator once at start-up (restart them after rotating a Secret). */
export function passwordOf(user: RegistryUser): string {
  if (user.passwordFile) return readFileSync(user.passwordFile, 'utf8').replace(/\r?\n$/, '');
  return user.password ?? '';
}

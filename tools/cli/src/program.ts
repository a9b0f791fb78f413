import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { openCluster, type Cluster } from './cluster.js';
import { authorizationFrom, type CredentialOptions } from './credentials.js';
import { CliError, describeError, isExpected } from './errors.js';
import { parseImageReference, type ImageRef } from './image-ref.js';
import type { Io } from './io.js';
import { containerdConfigCommand, DEFAULT_MIRROR } from './commands/containerd-config.js';
import { eventsCommand } from './commands/events.js';
import { jobsCommand } from './commands/jobs.js';
import { layersCommand } from './commands/layers.js';
import { nodesCommand } from './commands/nodes.js';
import { preloadCommand } from './commands/preload.js';
import { statusCommand } from './commands/status.js';

/** The options every command understands. */
interface GlobalOptions {
  server?: string;
  timeout: number;
  json: boolean;
}

/** What a run is given besides its arguments: streams, environment, and a Ctrl-C signal. */
export interface RunContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

const positiveInt = (what: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number above 0`);
  return n;
};

// A malformed image reference is a usage error: say what is wrong, without the protocol's code.
function imageRef(text: string): ImageRef {
  try {
    return parseImageReference(text);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), 2);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function credentialOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch[/variant]>', 'platform picked from a multi-platform image (default linux/amd64)')
    .option('--user <name>', 'registry user; the password comes from --password or ACCELERBOAT_PASSWORD')
    .option('--password <password>', 'registry password (prefer ACCELERBOAT_PASSWORD: arguments show in ps)')
    .option('--authorization <value>', 'a ready Authorization header value for the registry (or ACCELERBOAT_AUTHORIZATION)');
}

/** Builds the `accelerboat` command tree; each action gets the context's streams and environment. */
export function buildProgram(ctx: RunContext): Command {
  const { io, env } = ctx;
  const program = new Command('accelerboat')
    .description('Inspect and steer a running AccelerBoat cluster over NATS.')
    .version(version())
    .option('-s, --server <urls>', 'NATS server URLs, comma-separated (default: NATS_SERVERS, then nats://127.0.0.1:4222)')
    .addOption(new Option('--timeout <ms>', 'deadline of each request in milliseconds').default(10_000).argParser(positiveInt('--timeout')))
    .option('--json', 'machine-readable JSON on stdout instead of tables', false)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const connected = async (cmd: Command, fn: (cluster: Cluster, g: GlobalOptions) => Promise<unknown>): Promise<void> => {
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const cluster = await openCluster({ ...(g.server ? { server: g.server } : {}), timeoutMs: g.timeout, env });
    try {
      await fn(cluster, g);
    } finally {
      await cluster.close();
    }
  };

  program
    .command('status')
    .description('every app instance: version, uptime, endpoints and request counters (NATS $SRV.PING/INFO/STATS)')
    .addOption(new Option('--wait-ms <ms>', 'how long to collect answers').default(2000).argParser(positiveInt('--wait-ms')))
    .action((o: { waitMs: number }, cmd: Command) => connected(cmd, (c, g) => statusCommand(c, io, { json: g.json, waitMs: o.waitMs })));

  program
    .command('nodes')
    .description('nodes by instance id: the services running there and the seeder load')
    .action((_o: object, cmd: Command) => connected(cmd, (c, g) => nodesCommand(c, io, { json: g.json, waitMs: 2000 })));

  credentialOptions(program.command('layers').argument('<image>', 'registry/repository[:tag|@digest]; docker.io when no registry is named'))
    .description('where each layer of an image is held in the cluster')
    .action((image: string, o: CredentialOptions & { platform?: string }, cmd: Command) => {
      const ref = imageRef(image);
      const authorization = authorizationFrom(o, env);
      return connected(cmd, (c, g) => layersCommand(c, io, ref, { json: g.json, ...(o.platform ? { platform: o.platform } : {}), ...(authorization ? { authorization } : {}) }));
    });

  program
    .command('jobs')
    .description('recent seeder download jobs with their progress, newest first')
    .addOption(new Option('--limit <n>', 'how many recent jobs').default(100).argParser(positiveInt('--limit')))
    .option('--active', 'only jobs still running', false)
    .action((o: { limit: number; active: boolean }, cmd: Command) => connected(cmd, (c, g) => jobsCommand(c, io, { json: g.json, limit: o.limit, active: o.active })));

  program
    .command('events')
    .description('the cluster events (p2p.events.>) as they happen, one line each')
    .option('-f, --follow', 'until Ctrl-C', false)
    .addOption(new Option('--seconds <n>', 'how long to watch without --follow').default(5).argParser(positiveInt('--seconds')))
    .action((o: { follow: boolean; seconds: number }, cmd: Command) =>
      connected(cmd, (c, g) => eventsCommand(c, io, { json: g.json, follow: o.follow, seconds: o.seconds, ...(ctx.signal ? { signal: ctx.signal } : {}) })),
    );

  credentialOptions(program.command('preload').argument('<image>', 'registry/repository[:tag|@digest]'))
    .description('have seeders fetch every layer of an image the cluster lacks, ahead of a rollout')
    .option('-w, --wait', 'follow the jobs until every layer is in the cluster, with progress', false)
    .addOption(new Option('--wait-timeout <seconds>', 'longest wait with --wait').default(600).argParser(positiveInt('--wait-timeout')))
    .addOption(new Option('--poll-ms <ms>', 'how often progress is read with --wait').default(500).argParser(positiveInt('--poll-ms')))
    .action((image: string, o: CredentialOptions & { platform?: string; wait: boolean; waitTimeout: number; pollMs: number }, cmd: Command) => {
      const ref = imageRef(image);
      const authorization = authorizationFrom(o, env);
      return connected(cmd, (c, g) =>
        preloadCommand(c, io, ref, {
          json: g.json,
          wait: o.wait,
          pollMs: o.pollMs,
          waitTimeoutMs: o.waitTimeout * 1000,
          ...(o.platform ? { platform: o.platform } : {}),
          ...(authorization ? { authorization } : {}),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        }),
      );
    });

  program
    .command('containerd-config')
    .description("point containerd at this node's edge-proxy (certs.d/<registry>/hosts.toml per registry), or undo it")
    .addArgument(new Argument('<action>', 'install or uninstall').choices(['install', 'uninstall']))
    .option('--registry <host>', 'one registry as images name it: docker.io, ghcr.io, 10.0.0.5:5000')
    .option('--registries-file <path>', 'every originalHost of a registries file (the JSON of REGISTRIES_FILE), upstream from its scheme')
    .option('--all', 'uninstall every hosts.toml accelerboat wrote under --dir', false)
    .option('--prune', 'with install --registries-file: also uninstall what accelerboat wrote for registries no longer in the file', false)
    .option('--mirror <url>', "the node's edge-proxy", DEFAULT_MIRROR)
    .option('--upstream <url>', 'with --registry: the fallback server (default https://<registry>; https://registry-1.docker.io for docker.io)')
    .option('--dir <path>', "containerd's registry config_path", '/etc/containerd/certs.d')
    .option('--dial-timeout <duration>', 'how long containerd tries to connect to the mirror before falling back (containerd >= 2.1; 0 leaves it out)', '1s')
    .option('--print', 'print the hosts.toml files instead of writing them', false)
    .action(
      (
        action: 'install' | 'uninstall',
        o: { registry?: string; registriesFile?: string; all: boolean; prune: boolean; mirror: string; upstream?: string; dir: string; dialTimeout: string; print: boolean },
        cmd: Command,
      ) => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        containerdConfigCommand(io, action, { ...o, json: g.json });
      },
    );

  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 done, 1 the command failed (one line on stderr, no
 * stack trace for expected failures), 2 the command line was wrong, 130 interrupted.
 */
export async function run(argv: readonly string[], ctx: RunContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    ctx.io.err(`error: ${describeError(e)}`);
    if (!isExpected(e) && e instanceof Error && ctx.env.ACCELERBOAT_DEBUG) ctx.io.err(e.stack ?? '');
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}

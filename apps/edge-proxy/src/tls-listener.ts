import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { RegistryMapping } from '@accelerboat/mirror';

/**
 * Custom-domain mode: clients dial `proxyHost` (e.g. `docker.mirror.example`) over HTTPS and the
 * mirror serves the registry it stands for. Each mapping brings its own certificate, chosen by
 * SNI; the Host header then selects the upstream, as in plain HTTP.
 */
export function startTlsListener(
  mappings: RegistryMapping[],
  port: number,
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Server | undefined> {
  const withCerts = mappings.filter((m) => m.proxyHost && m.tlsCertFile && m.tlsKeyFile);
  if (!port || withCerts.length === 0) return Promise.resolve(undefined);
  const contexts = new Map<string, SecureContext>();
  for (const m of withCerts) {
    const name = m.proxyHost!.replace(/:\d+$/, '').toLowerCase();
    contexts.set(name, createSecureContext({ cert: readFileSync(m.tlsCertFile!), key: readFileSync(m.tlsKeyFile!) }));
  }
  const first = withCerts[0]!;
  const server = createServer(
    {
      cert: readFileSync(first.tlsCertFile!),
      key: readFileSync(first.tlsKeyFile!),
      SNICallback: (servername, cb) => cb(null, contexts.get(servername.toLowerCase()) ?? contexts.values().next().value),
    },
    handler,
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IsBoolean, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { EnvKey, loadConfig, ConfigError, envKeysOf } from './index.js';

class PortConfig {
  @EnvKey('HTTP_PORT', { description: 'port' })
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number = 8080;
}

class SecretConfig {
  @EnvKey('CLUSTER_SECRET', { description: 'shared secret', secret: true })
  @IsString()
  @MinLength(16)
  secret!: string;
}

class FlagConfig {
  @EnvKey('VERIFY_TLS', { description: 'verify upstream TLS' })
  @IsBoolean()
  verifyTls: boolean = true;
}

describe('loadConfig', () => {
  it('parses booleans strictly: "false" is false and "maybe" is an error', () => {
    assert.equal(loadConfig({ f: FlagConfig }, { VERIFY_TLS: 'false' }).f.verifyTls, false);
    assert.equal(loadConfig({ f: FlagConfig }, {}).f.verifyTls, true);
    assert.throws(() => loadConfig({ f: FlagConfig }, { VERIFY_TLS: 'maybe' }), /VERIFY_TLS: must be a boolean value/);
  });

  it('keeps defaults and converts numbers from strings', () => {
    const cfg = loadConfig({ http: PortConfig, sec: SecretConfig }, { HTTP_PORT: '9000', CLUSTER_SECRET: 'x'.repeat(20) });
    assert.equal(cfg.http.port, 9000);
    assert.equal(loadConfig({ http: PortConfig }, {}).http.port, 8080);
  });

  it('names every bad key and never prints the value', () => {
    const secret = 'short-secret';
    assert.throws(
      () => loadConfig({ http: PortConfig, sec: SecretConfig }, { HTTP_PORT: '99999', CLUSTER_SECRET: secret }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map((p) => p.key), ['HTTP_PORT', 'CLUSTER_SECRET']);
        assert.ok(!e.message.includes(secret), e.message);
        assert.match(e.message, /HTTP_PORT: must not be greater than 65535/);
        return true;
      },
    );
  });

  it('reports a missing required key by its env name', () => {
    assert.throws(() => loadConfig({ sec: SecretConfig }, {}), /CLUSTER_SECRET: /);
  });

  it('lists the env keys a class reads', () => {
    assert.deepEqual(envKeysOf(SecretConfig.prototype).map((k) => [k.key, k.secret]), [['CLUSTER_SECRET', true]]);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRejected } from '../testing/fixtures.js';
import { validateMessage } from '../validate.js';
import { GetTokenRequest, GetTokenResponse } from './token.js';

const request = {
  registry: 'registry-1.docker.io',
  realm: 'https://auth.docker.io/token',
  service: 'registry.docker.io',
  scopes: ['repository:library/ubuntu:pull'],
  authorization: 'Basic dXNlcjpwYXNz',
};

describe('GetTokenRequest', () => {
  it('accepts a token request as the edge-proxy sends it, with or without credentials', () => {
    assert.deepEqual({ ...validateMessage(GetTokenRequest, request) }, request);
    const { authorization: _, service: __, ...anonymous } = request;
    validateMessage(GetTokenRequest, { ...anonymous, realm: 'http://harbor.harbor.svc:8080/service/token' });
  });

  it('rejects realms with credentials or other schemes, and scopes beyond repositories', () => {
    assertRejected(GetTokenRequest, { ...request, realm: 'https://user:pw@auth.docker.io/token' }, 'realm');
    assertRejected(GetTokenRequest, { ...request, realm: 'file:///etc/passwd' }, 'realm');
    assertRejected(GetTokenRequest, { ...request, realm: 'auth.docker.io/token' }, 'realm');
    const e = assertRejected(GetTokenRequest, { ...request, scopes: ['repository:library/ubuntu:pull', 'registry:catalog:*'] }, 'scopes');
    assert.match(e.message, /item 1/);
    assertRejected(GetTokenRequest, { ...request, scopes: Array(17).fill(request.scopes[0]) }, 'scopes');
  });

  it('rejects Authorization values that could inject headers, are empty or too long', () => {
    assertRejected(GetTokenRequest, { ...request, authorization: 'Basic x\r\nHost: evil' }, 'authorization');
    assertRejected(GetTokenRequest, { ...request, authorization: '' }, 'authorization');
    assertRejected(GetTokenRequest, { ...request, authorization: `Bearer ${'a'.repeat(8 * 1024)}` }, 'authorization');
    assertRejected(GetTokenRequest, { ...request, service: 'svc\u0000' }, 'service');
  });
});

describe('GetTokenResponse', () => {
  it('accepts a token with its lifetime and rejects negative lifetimes or loose dates', () => {
    validateMessage(GetTokenResponse, { token: 'eyJhbGciOi.x.y', expiresIn: 300, issuedAt: '2024-05-01T10:00:00Z' });
    assertRejected(GetTokenResponse, { token: 'eyJ', expiresIn: -1 }, 'expiresIn');
    assertRejected(GetTokenResponse, { token: 'eyJ', expiresIn: 60, issuedAt: 'yesterday' }, 'issuedAt');
    assertRejected(GetTokenResponse, { token: '', expiresIn: 60 }, 'token');
  });
});

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { checkNetworkFlows, checkServiceMonitorTargets, type Configs } from './support/checks.js';
import { render, type K8sObject } from './support/k8s.js';
import { loadConfigs, withKubectl } from './support/suite.js';

withKubectl(() => {
  describe('deploy/overlays/prod: NetworkPolicy and ServiceMonitor components', () => {
    let objects: K8sObject[];
    let configs: Configs;
    before(async () => {
      objects = render('overlays/prod');
      configs = await loadConfigs();
    });

    it('allows the traffic the system needs (host-network clients from the node subnet) and refuses the rest', () => {
      assert.deepEqual(checkNetworkFlows(objects, configs), []);
    });

    it('scrapes /metrics of all five apps', () => {
      assert.deepEqual(checkServiceMonitorTargets(objects, configs), []);
    });
  });
});

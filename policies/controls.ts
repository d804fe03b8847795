import type { Construct } from 'constructs';
import { GpuTenancy, Quarantine, RegistryAllowList, RuntimeGuard, SandboxRequirement, Signature } from '../lib/index.js';

/** Organisation-wide controls the agents refer to. */
export interface Controls {
  readonly registry: RegistryAllowList;
  readonly signedRegistry: RegistryAllowList;
  readonly gvisor: SandboxRequirement;
  readonly researchGuard: RuntimeGuard;
  readonly migSlices: GpuTenancy;
}

export function defineControls(scope: Construct, opts: { readonly signatures: boolean }): Controls {
  new Quarantine(scope, 'quarantine', { keepDns: true });
  return {
    registry: new RegistryAllowList(scope, 'acme-images', { prefixes: ['ghcr.io/acme/', 'registry.internal.acme.example/'] }),
    // Coding agents run images built by our release workflow only; signature checks need Kyverno.
    signedRegistry: new RegistryAllowList(scope, 'acme-signed-images', {
      prefixes: ['ghcr.io/acme/agents/'],
      ...(opts.signatures ? { signatures: [Signature.keyless('https://token.actions.githubusercontent.com', 'https://github.com/acme/agents/.github/workflows/release.yml@refs/heads/main')] } : {}),
    }),
    gvisor: new SandboxRequirement(scope, 'gvisor', { runtime: 'gvisor' }),
    researchGuard: new RuntimeGuard(scope, 'research-exec', { allowedExecutables: ['/usr/local/bin/python3.12', '/usr/local/bin/research-agent'] }),
    migSlices: new GpuTenancy(scope, 'mig-slices', { mode: 'mig', quota: { 'nvidia.com/mig-1g.10gb': 4, 'nvidia.com/mig-3g.40gb': 1 } }),
  };
}

import type { Construct } from 'constructs';
import { PalisadeError } from '../core/errors.js';
import type {
  AgentModel, EdgeModel, EgressProxyModel, EndpointModel, ExternalModel, GpuTenancyModel, PolicyModel, QuarantineModel,
  RegistryModel, RuntimeGuardModel, SandboxModel, ZoneModel,
} from '../model/model.js';
import { LABELS } from '../core/labels.js';
import { isPolicyConstruct } from './policy-construct.js';

/** Collects what constructs declare; {@link collectModel} turns it into an immutable model. */
export class ModelBuilder {
  public readonly zones: ZoneModel[] = [];
  public readonly agents: AgentModel[] = [];
  public readonly endpoints: EndpointModel[] = [];
  public readonly externals: ExternalModel[] = [];
  public readonly egressProxies: EgressProxyModel[] = [];
  public readonly edges: EdgeModel[] = [];
  public readonly registries: RegistryModel[] = [];
  public readonly sandboxes: SandboxModel[] = [];
  public readonly runtimeGuards: RuntimeGuardModel[] = [];
  public readonly gpuTenancies: GpuTenancyModel[] = [];
  public quarantine: QuarantineModel | undefined;
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const DEFAULT_QUARANTINE: QuarantineModel = { label: LABELS.quarantine, keepDns: true, source: { path: '(default)' } };

/**
 * Runs construct validations (all errors together, each with its construct path) and collects the
 * model from every palisade construct under `scope`, sorted by name for deterministic output.
 */
export function collectModel(scope: Construct): PolicyModel {
  const errors = scope.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) {
    throw new PalisadeError('ValidationFailed', `Policy validation failed with ${errors.length} error(s):\n${errors.join('\n')}`);
  }
  const b = new ModelBuilder();
  for (const c of scope.node.findAll()) if (isPolicyConstruct(c)) c._contribute(b);
  const edgeKey = (e: EdgeModel): string => `${e.from}>${e.to.kind}:${e.to.name}>${e.via ?? ''}`;
  return {
    zones: [...b.zones].sort(byName),
    agents: [...b.agents].sort(byName),
    endpoints: [...b.endpoints].sort(byName),
    externals: [...b.externals].sort(byName),
    egressProxies: [...b.egressProxies].sort(byName),
    edges: [...b.edges].sort((x, y) => (edgeKey(x) < edgeKey(y) ? -1 : edgeKey(x) > edgeKey(y) ? 1 : 0)),
    registries: [...b.registries].sort(byName),
    sandboxes: [...b.sandboxes].sort(byName),
    runtimeGuards: [...b.runtimeGuards].sort(byName),
    gpuTenancies: [...b.gpuTenancies].sort(byName),
    quarantine: b.quarantine ?? DEFAULT_QUARANTINE,
  };
}

/** JSON Schema (2020-12) of clusters/<name>/cluster.yaml. Unknown keys are errors. */
export const clusterSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['network', 'admission'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    description: { type: 'string' },
    network: { enum: ['kubernetes', 'cilium', 'calico'] },
    admission: { enum: ['vap', 'kyverno'] },
    runtime: { enum: ['tetragon', 'none'], default: 'none' },
    clusterNetworkPolicy: { type: 'boolean', default: false },
    calicoEnterprise: { type: 'boolean', default: false },
    dns: {
      type: 'object', additionalProperties: false, required: ['namespace', 'podLabels'],
      properties: { namespace: { type: 'string' }, podLabels: { type: 'object', additionalProperties: { type: 'string' } } },
    },
    kubeApiServerCidrs: { type: 'array', items: { type: 'string', pattern: '^[0-9.]+/[0-9]+$' }, default: [] },
    podCidrs: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[0-9.]+/[0-9]+$' } },
    context: { type: 'string' },
    allowNamespacePrune: { type: 'boolean', default: false },
    removeNarrowingForeign: { type: 'boolean', default: false },
    protect: {
      default: true,
      oneOf: [
        { type: 'boolean' },
        {
          type: 'object', additionalProperties: false,
          properties: {
            users: { type: 'array', items: { type: 'string', minLength: 1 } },
            groups: { type: 'array', items: { type: 'string', minLength: 1 } },
            breakGlassGroup: { type: 'string', minLength: 1 },
            repository: { type: 'string', minLength: 1 },
          },
        },
      ],
    },
    syncedBy: {
      type: 'object', additionalProperties: false, required: ['engine'],
      properties: {
        engine: { enum: ['palisade', 'argocd', 'flux'] },
        namespace: { type: 'string' },
        name: { type: 'string' },
      },
    },
  },
} as const;

import type { Construct } from 'constructs';
import { DataStore, EgressProxy, ExternalEndpoint, ModelServer, Port, Tool, Zone } from '../lib/index.js';

/** Lifecycle zones. Preprocessing may feed the fine-tuning data store; nothing else crosses zones. */
export function defineZones(scope: Construct): { preprocessing: Zone; finetuning: Zone; inference: Zone } {
  const preprocessing = new Zone(scope, 'preprocessing', { description: 'data ingestion and cleaning' });
  const finetuning = new Zone(scope, 'finetuning', { description: 'training on curated data' });
  const inference = new Zone(scope, 'inference', { description: 'serving models and running agents' });
  preprocessing.allowFlowTo(finetuning);
  return { preprocessing, finetuning, inference };
}

export type Zones = ReturnType<typeof defineZones>;

/** In-cluster destinations agents call. */
export function defineServices(scope: Construct, z: Zones): Record<'trainingData' | 'vectorDb' | 'mcpTools' | 'modelServer' | 'gatewayApi', DataStore | Tool | ModelServer> {
  return {
    trainingData: new DataStore(scope, 'training-data', { namespace: 'training-data', zone: z.finetuning, podLabels: { app: 'minio' }, ports: [Port.tcp(9000)] }),
    vectorDb: new DataStore(scope, 'vector-db', { namespace: 'data', zone: z.inference, podLabels: { app: 'qdrant' }, ports: [Port.tcp(6333), Port.tcp(6334)] }),
    mcpTools: new Tool(scope, 'mcp-tools', { namespace: 'tools', zone: z.inference, podLabels: { app: 'mcp-tools' }, ports: [Port.tcp(8080)] }),
    modelServer: new ModelServer(scope, 'model-server', { namespace: 'inference', zone: z.inference, podLabels: { app: 'vllm' }, ports: [Port.tcp(8000)] }),
    gatewayApi: new ModelServer(scope, 'inference-gateway-api', { namespace: 'inference', zone: z.inference, podLabels: { app: 'inference-gateway' }, ports: [Port.tcp(8080)] }),
  };
}

/**
 * Clusters without DNS-name egress send web traffic through a Squid proxy: palisade gives each agent
 * a listener port of its own and generates the proxy's per-agent domain lists (ConfigMap egress-proxy-squid).
 */
export function defineEgressProxy(scope: Construct, z: Zones): EgressProxy {
  return new EgressProxy(scope, 'egress-proxy', { namespace: 'egress', zone: z.inference, podLabels: { app: 'egress-proxy' } });
}

export type Services = ReturnType<typeof defineServices>;

/** Destinations outside the cluster, by DNS name. */
export function defineWeb(scope: Construct): Record<'openai' | 'wikipedia' | 'arxiv' | 'npm' | 'github' | 'githubContent' | 'huggingface', ExternalEndpoint> {
  const web = (id: string, host: string): ExternalEndpoint => new ExternalEndpoint(scope, id, { host, ports: [Port.tcp(443)] });
  return {
    openai: web('openai', 'api.openai.com'),
    wikipedia: web('wikipedia', '*.wikipedia.org'),
    arxiv: web('arxiv', 'export.arxiv.org'),
    npm: web('npm-mirror', 'registry.npmjs.org'),
    github: web('github', 'github.com'),
    githubContent: web('github-content', '*.githubusercontent.com'),
    huggingface: web('huggingface', 'huggingface.co'),
  };
}

export type Web = ReturnType<typeof defineWeb>;

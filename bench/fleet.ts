import { Agent, DataStore, ExternalEndpoint, Port, Tool, Zone, type PolicyDefinition } from '../lib/index.js';

/**
 * The benchmark organisation: `agents` agents in `namespaces` namespaces, each reaching one of 20
 * tools, one of 10 data stores and one external API (with a CIDR fallback for backends without
 * DNS-name egress).
 */
export function fleet(agents: number, namespaces = 50): PolicyDefinition {
  return (scope) => {
    const zone = new Zone(scope, 'inference');
    const tools = Array.from({ length: 20 }, (_, i) => new Tool(scope, `tool-${i}`, { namespace: `tools-${i % 5}`, zone, podLabels: { app: `tool-${i}` }, ports: [Port.tcp(8080)] }));
    const stores = Array.from({ length: 10 }, (_, i) => new DataStore(scope, `store-${i}`, { namespace: `data-${i % 3}`, zone, podLabels: { app: `store-${i}` }, ports: [Port.tcp(5432)] }));
    const web = new ExternalEndpoint(scope, 'api', { host: 'api.example.com', cidrFallback: ['203.0.113.0/24'] });
    for (let i = 0; i < agents; i++) {
      const a = new Agent(scope, `agent-${i}`, { namespace: `agents-${i % namespaces}`, zone, podLabels: { app: `agent-${i}` } });
      a.allowTo(tools[i % tools.length]!).allowTo(stores[i % stores.length]!).allowTo(web);
    }
  };
}

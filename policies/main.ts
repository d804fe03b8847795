/** cdk8s app (cdk8s.yaml): one chart per cluster in clusters/, same objects as `palisade synth`. */
import { ApiObject, App, Chart } from 'cdk8s';
import { listClusters, loadCluster, synthesize } from '../lib/index.js';
import { definePolicies } from './index.js';

const app = new App();
for (const name of await listClusters('clusters')) {
  const result = synthesize(definePolicies, await loadCluster('clusters', name));
  const chart = new Chart(app, name, { disableResourceNameHashes: true });
  result.objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
}
app.synth();

/** Command lines of etcd and kube-apiserver for a local control plane (modelled on envtest). */

export interface Layout {
  readonly dir: string;
  readonly etcdData: string;
  readonly certDir: string;
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly saKey: string;
  readonly saPub: string;
}

export interface Ports { readonly apiserver: number; readonly etcdClient: number; readonly etcdPeer: number }

export function etcdArgs(l: Layout, p: Ports): string[] {
  const client = `http://127.0.0.1:${p.etcdClient}`;
  const peer = `http://127.0.0.1:${p.etcdPeer}`;
  return [
    '--name=palisade', `--data-dir=${l.etcdData}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=palisade=${peer}`,
    '--unsafe-no-fsync=true', '--log-level=warn',
  ];
}

export function apiserverArgs(l: Layout, p: Ports): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${p.etcdClient}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${p.apiserver}`,
    `--cert-dir=${l.certDir}`, `--tls-cert-file=${l.servingCert}`, `--tls-private-key-file=${l.servingKey}`,
    `--client-ca-file=${l.caCert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${l.saPub}`, `--service-account-signing-key-file=${l.saKey}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager runs, so nothing would create the default ServiceAccount pods need.
    '--disable-admission-plugins=ServiceAccount',
    '--endpoint-reconciler-type=none',
    '--v=0',
  ];
}

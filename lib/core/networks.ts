/**
 * IPv4 ranges that are never addresses on the public internet: "this network", private (RFC 1918),
 * carrier-grade NAT / shared (RFC 6598, which also holds Alibaba's metadata address), loopback and
 * link-local (which holds the cloud metadata endpoints). An egress proxy may reach only what lies
 * outside them, so it cannot be used to reach pods, Services, nodes or metadata by address.
 */
export const NON_PUBLIC_CIDRS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
];

/**
 * Where pod addresses can be when a cluster does not say (cluster.yaml `podCidrs`): the private and
 * shared ranges CNIs allocate pods from (Calico's default 192.168.0.0/16, Cilium's cluster-pool
 * 10.0.0.0/8, kind's 10.244.0.0/16, EKS custom networking in 100.64.0.0/10).
 */
export const DEFAULT_POD_CIDRS: readonly string[] = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'];

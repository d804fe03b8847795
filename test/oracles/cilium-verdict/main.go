// cilium-verdict asks Cilium's own policy engine (github.com/cilium/cilium/pkg/policy) for the
// verdict of flows between endpoints, given CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy
// and Kubernetes NetworkPolicy objects. It is the independent oracle palisade's analyser is
// compared with: the policies go through the agent's own parsing (CNP.Parse,
// RulesToPolicyEntries, ParseNetworkPolicy), resolution and distillation into the policy map
// state, and each flow is looked up in that map state with EndpointPolicy.Lookup, which mirrors
// the datapath's precedence ("to be used in testing in place of the bpf datapath").
//
// stdin:  {"policies": [obj...], "endpoints": [{"name", "labels": ["k8s:app=x", ...]}],
//
//	"flows": [{"from", "to", "proto": "TCP", "port": 8080}],
//	`from`/`to` name an endpoint, or a reserved identity: "world", "{host}", "{remote-node}",
//	"{kube-apiserver}" (palisade's peer ids for them).
//
//	"labelFilters": [{"labels": ["k8s:app", "!k8s:foo"], "keys": ["app", ...]}]}
//
// stdout: {"verdicts": [{"egress": bool, "ingress": bool}...]} in flow order; a side that is not
//
//	a Cilium endpoint (a reserved identity) is reported as allowed; "labelFilters": for each filter,
//	whether each key stays an identity label.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/cilium/cilium/pkg/endpoint/regeneration"
	envoypolicy "github.com/cilium/cilium/pkg/envoy/policy"
	"github.com/cilium/cilium/pkg/identity"
	"github.com/cilium/cilium/pkg/identity/identitymanager"
	ipcachetypes "github.com/cilium/cilium/pkg/ipcache/types"
	k8spolicy "github.com/cilium/cilium/pkg/k8s"
	ciliumv2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	slimnetv1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/networking/v1"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/labelsfilter"
	cpolicy "github.com/cilium/cilium/pkg/policy"
	policyapi "github.com/cilium/cilium/pkg/policy/api"
	policytypes "github.com/cilium/cilium/pkg/policy/types"
	policyutils "github.com/cilium/cilium/pkg/policy/utils"
	"github.com/cilium/cilium/pkg/spanstat"
	testpolicy "github.com/cilium/cilium/pkg/testutils/policy"
	"github.com/cilium/cilium/pkg/u8proto"
)

// clusterName is the cluster the endpoints' identities belong to (label io.cilium.k8s.policy.cluster).
const clusterName = "default"

type endpoint struct {
	Name   string   `json:"name"`
	Labels []string `json:"labels"`
}

type flow struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Proto string `json:"proto"`
	Port  uint16 `json:"port"`
}

type input struct {
	Policies     []json.RawMessage `json:"policies"`
	Endpoints    []endpoint        `json:"endpoints"`
	Flows        []flow            `json:"flows"`
	LabelFilters []labelFilter     `json:"labelFilters"`
}

// labelFilter asks the agent's identity-label filter (pkg/labelsfilter, the cilium-config `labels`
// option as a list of prefixes) which pod label keys stay identity labels.
type labelFilter struct {
	Labels []string `json:"labels"`
	Keys   []string `json:"keys"`
}

// keptKeys configures the filter as the agent does at start-up, then filters each key (source k8s).
func keptKeys(logger *slog.Logger, lf labelFilter) []bool {
	if err := labelsfilter.ParseLabelPrefixCfg(logger, lf.Labels, nil, ""); err != nil {
		fail("label filter %v: %v", lf.Labels, err)
	}
	out := make([]bool, 0, len(lf.Keys))
	for _, key := range lf.Keys {
		identityLabels, _ := labelsfilter.Filter(labels.NewLabelsFromModel([]string{"k8s:" + key + "=v"}))
		_, kept := identityLabels[key]
		out = append(out, kept)
	}
	return out
}

type verdict struct {
	Egress  bool `json:"egress"`
	Ingress bool `json:"ingress"`
	// EgressL7 / IngressL7: the allowing entry redirects to the L7 proxy (HTTP or DNS rules).
	EgressL7  bool `json:"egressL7"`
	IngressL7 bool `json:"ingressL7"`
}

type owner struct{ id uint64 }

type stats struct{ waiting, calculation spanstat.SpanStat }

func (s *stats) WaitingForPolicyRepository() *spanstat.SpanStat { return &s.waiting }
func (s *stats) SelectorPolicyCalculation() *spanstat.SpanStat  { return &s.calculation }

func (o owner) GetID() uint64                                     { return o.id }
func (o owner) GetNamedPort(bool, string, u8proto.U8proto) uint16 { return 0 }
func (o owner) PolicyDebug(string, ...any)                        {}
func (o owner) IsHost() bool                                      { return false }
func (o owner) PreviousMapState() *cpolicy.MapState               { return nil }
func (o owner) RegenerateIfAlive(*regeneration.ExternalRegenerationMetadata) <-chan bool {
	ch := make(chan bool, 1)
	ch <- false
	return ch
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "cilium-verdict: "+format+"\n", a...)
	os.Exit(2)
}

// ciliumPolicy is a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: both parse into rules.
type ciliumPolicy interface {
	Parse(logger *slog.Logger, clusterName string) (policyapi.Rules, error)
}

// ciliumEntries decodes a Cilium policy into `into` and converts it as the agent does.
func ciliumEntries(logger *slog.Logger, raw json.RawMessage, id string, into ciliumPolicy) policytypes.PolicyEntries {
	if err := json.Unmarshal(raw, into); err != nil {
		fail("%s: %v", id, err)
	}
	rules, err := into.Parse(logger, clusterName)
	if err != nil {
		fail("%s: %v", id, err)
	}
	return policyutils.RulesToPolicyEntries(rules)
}

func entriesOf(logger *slog.Logger, raw json.RawMessage) (policytypes.PolicyEntries, ipcachetypes.ResourceID) {
	var meta struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		fail("policy: %v", err)
	}
	id := meta.Kind + "/" + meta.Metadata.Namespace + "/" + meta.Metadata.Name
	switch meta.Kind {
	case "CiliumNetworkPolicy":
		return ciliumEntries(logger, raw, id, &ciliumv2.CiliumNetworkPolicy{}), ipcachetypes.NewResourceID(ipcachetypes.ResourceKindCNP, meta.Metadata.Namespace, meta.Metadata.Name)
	case "CiliumClusterwideNetworkPolicy":
		return ciliumEntries(logger, raw, id, &ciliumv2.CiliumClusterwideNetworkPolicy{}), ipcachetypes.NewResourceID(ipcachetypes.ResourceKindCCNP, "", meta.Metadata.Name)
	case "NetworkPolicy":
		var np slimnetv1.NetworkPolicy
		if err := json.Unmarshal(raw, &np); err != nil {
			fail("%s: %v", id, err)
		}
		entries, err := k8spolicy.ParseNetworkPolicy(logger, clusterName, &np)
		if err != nil {
			fail("%s: %v", id, err)
		}
		return entries, ipcachetypes.NewResourceID(ipcachetypes.ResourceKindNetpol, meta.Metadata.Namespace, meta.Metadata.Name)
	default:
		fail("%s: kind not handled by the Cilium oracle", id)
	}
	panic("unreachable")
}

// Peers that are reserved identities, not endpoints with a policy of their own.
var reservedPeers = map[string]identity.NumericIdentity{
	"world":            identity.ReservedIdentityWorld,
	"{host}":           identity.ReservedIdentityHost,
	"{remote-node}":    identity.ReservedIdentityRemoteNode,
	"{kube-apiserver}": identity.ReservedIdentityKubeAPIServer,
}

func main() {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// As the agent's policy cell does: the cluster entity covers this cluster's endpoints.
	policyapi.InitEntities(clusterName)
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("input: %v", err)
	}
	ids := identity.IdentityMap{}
	byName := map[string]*identity.Identity{}
	for i, ep := range in.Endpoints {
		lbls := labels.NewLabelsFromModel(ep.Labels)
		id := identity.NewIdentity(identity.NumericIdentity(1000+i), lbls)
		ids[id.ID] = id.LabelArray
		byName[ep.Name] = id
	}
	for name, ni := range reservedPeers {
		r := identity.LookupReservedIdentity(ni)
		ids[r.ID] = r.LabelArray
		byName[name] = r
	}

	// Identities are added after the repository exists: its policy cache learns them from the
	// identity manager it subscribes to, as the agent's endpoints do.
	idmgr := identitymanager.NewIDManager(logger)
	repo := cpolicy.NewPolicyRepository(logger, ids, nil, envoypolicy.NewEnvoyL7RulesTranslator(logger, nil), idmgr, testpolicy.NewPolicyMetricsNoop())
	for _, id := range byName {
		idmgr.Add(id)
	}
	wg := &sync.WaitGroup{}
	repo.GetSelectorCache().UpdateIdentities(ids, nil, wg)
	wg.Wait()
	for _, raw := range in.Policies {
		entries, resource := entriesOf(logger, raw)
		repo.ReplaceByResource(entries, resource)
	}

	// A redirect the proxy has not realized is skipped from the map state, as in the agent: give every
	// port a flow asks about a (fake) proxy port, so L7 rules show up as redirecting allows.
	redirects := map[string]map[string]uint16{}
	addRedirect := func(name string, ingress bool, port uint16) {
		if redirects[name] == nil {
			redirects[name] = map[string]uint16{}
		}
		for _, proto := range []string{"TCP", "UDP", "SCTP", "ANY"} {
			redirects[name][cpolicy.ProxyID(uint16(byName[name].ID), ingress, proto, port, "")] = 15000
		}
	}
	for _, f := range in.Flows {
		if byName[f.From] != nil {
			addRedirect(f.From, false, f.Port)
		}
		if byName[f.To] != nil {
			addRedirect(f.To, true, f.Port)
		}
	}
	distilled := map[string]*cpolicy.EndpointPolicy{}
	policyOf := func(name string) *cpolicy.EndpointPolicy {
		if p, ok := distilled[name]; ok {
			return p
		}
		id := byName[name]
		sp, _, err := repo.GetSelectorPolicy(id, 0, &stats{}, uint64(id.ID))
		if err != nil {
			fail("resolve %s: %v", name, err)
		}
		p := sp.DistillPolicy(logger, owner{id: uint64(id.ID)}, redirects[name])
		p.Ready()
		distilled[name] = p
		return p
	}

	out := make([]verdict, 0, len(in.Flows))
	for _, f := range in.Flows {
		src, dst := byName[f.From], byName[f.To]
		if src == nil || dst == nil {
			fail("flow %s -> %s: unknown endpoint", f.From, f.To)
		}
		proto, err := u8proto.ParseProtocol(strings.ToUpper(f.Proto))
		if err != nil {
			fail("flow %s -> %s: %v", f.From, f.To, err)
		}
		v := verdict{Egress: true, Ingress: true}
		if src.ID == dst.ID {
			fail("flow %s -> %s: both ends have one identity", f.From, f.To)
		}
		if _, ok := reservedPeers[f.From]; !ok {
			e, _, _ := policyOf(f.From).Lookup(cpolicy.EgressKey().WithIdentity(dst.ID).WithPortProto(proto, f.Port))
			v.Egress, v.EgressL7 = e.IsAllow(), e.IsRedirectEntry()
		}
		if _, ok := reservedPeers[f.To]; !ok {
			e, _, _ := policyOf(f.To).Lookup(cpolicy.IngressKey().WithIdentity(src.ID).WithPortProto(proto, f.Port))
			v.Ingress, v.IngressL7 = e.IsAllow(), e.IsRedirectEntry()
		}
		out = append(out, v)
	}
	kept := make([][]bool, 0, len(in.LabelFilters))
	for _, lf := range in.LabelFilters {
		kept = append(kept, keptKeys(logger, lf))
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]any{"verdicts": out, "labelFilters": kept}); err != nil {
		fail("output: %v", err)
	}
}

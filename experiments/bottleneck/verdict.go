package bottleneck

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Kind is the kind of constraint a verdict names.
type Kind string

// The kinds of constraint.
const (
	KindNone     Kind = "none"     // nothing is saturated
	KindService  Kind = "service"  // a service's workers
	KindDBPool   Kind = "db_pool"  // the database connection pool
	KindHotRows  Kind = "hot_rows" // the inventory's row locks
	KindProvider Kind = "provider" // a payment provider's concurrency cap
)

// Verdict names the saturated constraint.
type Verdict struct {
	Kind Kind `json:"kind"`
	// Name is the service or provider, "DB pool" or "hot rows"; for
	// KindNone the busiest service ("" without services).
	Name string `json:"name"`
	// Load is the named constraint's busy share: a service's utilisation,
	// the pool's connections in use, a provider's in flight over its cap;
	// 0 for hot rows, which have no capacity to divide by.
	Load float64 `json:"load"`
	// AlsoSaturated are the other saturated constraints (services in
	// scenario order, then the DB pool, the hot rows, the providers):
	// usually victims that wait on it, as the shallower services do.
	AlsoSaturated []string `json:"also_saturated"`
	// Text is the one-line verdict.
	Text string `json:"text"`
}

// candidate is one saturated constraint, with its depth on the path.
type candidate struct {
	kind    Kind
	name    string
	depth   int
	load    float64
	backlog int
	why     string
}

// depth of each kind of constraint beyond the services, which take their
// role's (serviceDepth: 0 gateway, 1 orchestrator and browse, 2 the rest).
const (
	depthPool     = 3
	depthRows     = 4
	depthProvider = 5
)

func serviceDepth(r Role) int {
	switch r {
	case RoleGateway:
		return 0
	case RoleOrchestrator, RoleBrowse:
		return 1
	}
	return 2
}

// Judge names the deepest saturated constraint of s (package
// documentation); it reads only the saturation flags and loads s holds.
func Judge(s *Summary) Verdict {
	var cands []candidate
	for _, sv := range s.Services {
		if sv.Saturated {
			cands = append(cands, candidate{KindService, sv.Service, serviceDepth(sv.Role), sv.Utilisation, sv.BacklogMax, serviceWhy(&sv)})
		}
	}
	if p := &s.DBPool; p.Saturated {
		why := fmt.Sprintf("in use %s of %d connections, %d waiting at most, %d timeouts",
			output.Human(p.InUseShare, "fraction"), p.Size, p.WaitingMax, p.Timeouts)
		cands = append(cands, candidate{KindDBPool, "DB pool", depthPool, p.InUseShare, p.WaitingMax, why})
	}
	if h := &s.HotRows; h.Saturated {
		cands = append(cands, candidate{KindHotRows, "hot rows", depthRows, 0, 0, h.Text()})
	}
	for _, p := range s.Providers {
		if p.Saturated {
			load := p.InFlightMean / float64(p.Cap)
			why := fmt.Sprintf("in flight %s of its cap of %d", output.Human(load, "fraction"), p.Cap)
			cands = append(cands, candidate{KindProvider, "provider " + p.Provider, depthProvider, load, 0, why})
		}
	}
	if len(cands) == 0 {
		return none(s)
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if deeper(c, best) {
			best = c
		}
	}
	v := Verdict{Kind: best.kind, Name: strings.TrimPrefix(best.name, "provider "), Load: best.load, AlsoSaturated: []string{}}
	for _, c := range cands {
		if c.name != best.name {
			v.AlsoSaturated = append(v.AlsoSaturated, c.name)
		}
	}
	v.Text = fmt.Sprintf("bottleneck: %s (%s)", best.name, best.why)
	if len(v.AlsoSaturated) > 0 {
		v.Text += "; also saturated: " + strings.Join(v.AlsoSaturated, ", ")
	}
	return v
}

// deeper tells whether c beats the best so far: deeper, else busier,
// else a longer backlog (equal: the first stays).
func deeper(c, best candidate) bool {
	switch {
	case c.depth != best.depth:
		return c.depth > best.depth
	case c.load != best.load:
		return c.load > best.load
	}
	return c.backlog > best.backlog
}

func serviceWhy(sv *Service) string {
	why := "utilisation " + output.Human(sv.Utilisation, "fraction") + ", backlog " + strconv.Itoa(sv.BacklogMax)
	if sv.Rejected > 0 {
		why += ", " + strconv.FormatInt(sv.Rejected, 10) + " rejected"
	}
	return why
}

// none is the verdict when nothing is saturated: the busiest service.
func none(s *Summary) Verdict {
	v := Verdict{Kind: KindNone, AlsoSaturated: []string{}, Text: "bottleneck: none saturated"}
	for i, sv := range s.Services {
		if i == 0 || sv.Utilisation > v.Load {
			v.Name, v.Load = sv.Service, sv.Utilisation
		}
	}
	if v.Name != "" {
		v.Text += fmt.Sprintf(" (busiest: %s, utilisation %s)", v.Name, output.Human(v.Load, "fraction"))
	}
	return v
}

// Short is the verdict in a table cell: "checkout-api 100%", "DB pool
// 97.0%", "hot rows", or "none" when nothing is saturated.
func (v *Verdict) Short() string {
	switch v.Kind {
	case KindNone:
		return "none"
	case KindHotRows:
		return v.Name
	}
	return v.Name + " " + output.Human(v.Load, "fraction")
}

package report

// This file builds the section "Services: where the bottleneck is": each
// constraint's load in A and in B, saturated ones marked, and both
// verdicts (experiments/bottleneck).

import (
	"slices"

	"github.com/checkoutsim/checkoutsim/experiments/bottleneck"
)

// servicesSection is the section, ready for the template.
type servicesSection struct {
	VerdictA, VerdictB string
	Rows               []servicesRow
}

// servicesRow is one constraint: its load in A and in B ("" when the run
// does not have it).
type servicesRow struct {
	Name, Role   string
	A, B         string
	SatA, SatB   bool
	MovedOrFixed bool // saturated in one run only
}

// verdicts are A's and B's one-line bottleneck verdicts, for the written
// verdict atop the report (none without the section).
func (s *servicesSection) verdicts() [2]string {
	if s == nil {
		return [2]string{}
	}
	return [2]string{s.VerdictA, s.VerdictB}
}

// newServicesSection builds the section; nil when a summary lacks it.
func newServicesSection(a, b *bottleneck.Summary) *servicesSection {
	if a == nil || b == nil {
		return nil
	}
	s := &servicesSection{VerdictA: a.Verdict.Text, VerdictB: b.Verdict.Text}
	var names []string
	for _, sum := range []*bottleneck.Summary{a, b} {
		for _, sv := range sum.Services {
			if !slices.Contains(names, sv.Service) {
				names = append(names, sv.Service)
			}
		}
	}
	find := func(sum *bottleneck.Summary, name string) *bottleneck.Service {
		for i := range sum.Services {
			if sum.Services[i].Service == name {
				return &sum.Services[i]
			}
		}
		return nil
	}
	for _, name := range names {
		row := servicesRow{Name: name}
		for i, sv := range []*bottleneck.Service{find(a, name), find(b, name)} {
			if sv == nil {
				continue
			}
			row.Role = string(sv.Role)
			if i == 0 {
				row.A, row.SatA = sv.Text(), sv.Saturated
			} else {
				row.B, row.SatB = sv.Text(), sv.Saturated
			}
		}
		s.add(row)
	}
	s.add(servicesRow{Name: "DB pool", A: a.DBPool.Text(), B: b.DBPool.Text(), SatA: a.DBPool.Saturated, SatB: b.DBPool.Saturated})
	s.add(servicesRow{Name: "hot rows", A: a.HotRows.Text(), B: b.HotRows.Text(), SatA: a.HotRows.Saturated, SatB: b.HotRows.Saturated})
	for _, pa := range a.Providers {
		row := servicesRow{Name: "provider " + pa.Provider, A: pa.Text(), SatA: pa.Saturated}
		for _, pb := range b.Providers {
			if pb.Provider == pa.Provider {
				row.B, row.SatB = pb.Text(), pb.Saturated
			}
		}
		s.add(row)
	}
	for _, pb := range b.Providers {
		if !slices.ContainsFunc(a.Providers, func(p bottleneck.Provider) bool { return p.Provider == pb.Provider }) {
			s.add(servicesRow{Name: "provider " + pb.Provider, B: pb.Text(), SatB: pb.Saturated})
		}
	}
	return s
}

func (s *servicesSection) add(row servicesRow) {
	row.MovedOrFixed = row.SatA != row.SatB
	s.Rows = append(s.Rows, row)
}

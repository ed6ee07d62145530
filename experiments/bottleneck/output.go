package bottleneck

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Lines writes the SERVICES section of `run`'s table into t: one row per
// service, one per other constraint, and the verdict as its last line.
// A nil summary writes nothing.
func (s *Summary) Lines(t *output.TableWriter) {
	if s == nil {
		return
	}
	t.Line("")
	t.Line(fmt.Sprintf("SERVICES (measured window; queue, backlog and instances sampled every %s s)", output.Float(s.SampleIntervalS)))
	t.Line("  SERVICE", "ROLE", "WORKERS", "UTILISATION", "QUEUE MEAN", "BACKLOG MAX", "INSTANCES MIN/MEAN/MAX", "REJECTED", "")
	for _, sv := range s.Services {
		t.Line("  "+sv.Service, string(sv.Role), strconv.Itoa(sv.Workers), output.Human(sv.Utilisation, "fraction"),
			output.Sig(sv.QueueMean), strconv.Itoa(sv.BacklogMax),
			fmt.Sprintf("%d/%.3g/%d", sv.InstancesMin, sv.InstancesMean, sv.InstancesMax),
			strconv.FormatInt(sv.Rejected, 10), saturated(sv.Saturated))
	}
	t.Line("")
	t.Line("  CONSTRAINT", "LOAD", "")
	t.Line("  DB pool", s.DBPool.Text(), saturated(s.DBPool.Saturated))
	t.Line("  hot rows", s.HotRows.Text(), saturated(s.HotRows.Saturated))
	for _, pr := range s.Providers {
		t.Line("  provider "+pr.Provider, pr.Text(), saturated(pr.Saturated))
	}
	t.Line(s.Verdict.Text)
}

// Text is the service's load in words (the report's cells).
func (sv *Service) Text() string {
	return fmt.Sprintf("utilisation %s, queue %s mean, backlog %d max, instances %d/%.3g/%d, %d rejected",
		output.Human(sv.Utilisation, "fraction"), output.Sig(sv.QueueMean), sv.BacklogMax,
		sv.InstancesMin, sv.InstancesMean, sv.InstancesMax, sv.Rejected)
}

// Text is the pool's load in words.
func (p *DBPool) Text() string {
	return fmt.Sprintf("in use %s of %d connections (%s), %d waiting at most, wait P99 %s, %d timeouts",
		output.Sig(p.InUseMean), p.Size, output.Human(p.InUseShare, "fraction"), p.WaitingMax, output.Human(p.WaitP99S, "s"), p.Timeouts)
}

// Text is the row locks' load in words.
func (h *HotRows) Text() string {
	return fmt.Sprintf("lock wait P99 %s, %d lock timeouts, %d deadlocks", output.Human(h.LockWaitP99S, "s"), h.LockTimeouts, h.Deadlocks)
}

// Text is the provider's load in words.
func (p *Provider) Text() string {
	capText := "no cap"
	if p.Cap > 0 {
		capText = "cap " + strconv.Itoa(p.Cap)
	}
	return fmt.Sprintf("in flight %s mean, %s max (%s), %d of %d attempts timed out",
		output.Sig(p.InFlightMean), output.Sig(p.InFlightMax), capText, p.TimedOut, p.Attempts)
}

func saturated(b bool) string {
	if b {
		return "saturated"
	}
	return ""
}

// CompareLines writes compare's SERVICES section into t: each service's
// utilisation and largest backlog in a (the receiver) and b, then both
// verdicts. Services are listed in a's order, then those only b has. It
// writes nothing when either summary is nil.
func (s *Summary) CompareLines(t *output.TableWriter, b *Summary) {
	if s == nil || b == nil {
		return
	}
	t.Line("")
	t.Line("SERVICES (measured window)")
	t.Line("  SERVICE", "A: UTILISATION", "B: UTILISATION", "A: BACKLOG MAX", "B: BACKLOG MAX")
	find := func(sum *Summary, name string) (util, backlog string) {
		for _, sv := range sum.Services {
			if sv.Service == name {
				return output.Human(sv.Utilisation, "fraction"), strconv.Itoa(sv.BacklogMax)
			}
		}
		return "-", "-"
	}
	var names []string
	for _, sum := range []*Summary{s, b} {
		for _, sv := range sum.Services {
			if !slices.Contains(names, sv.Service) {
				names = append(names, sv.Service)
			}
		}
	}
	for _, name := range names {
		ua, ba := find(s, name)
		ub, bb := find(b, name)
		t.Line("  "+name, ua, ub, ba, bb)
	}
	t.Line("A: " + s.Verdict.Text)
	t.Line("B: " + b.Verdict.Text)
}

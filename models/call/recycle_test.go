package call

import (
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// An attempt the client gave up on keeps its context (and its ancestors'
// cancellation) until its server replies, however many calls reuse the
// edge's records meanwhile; once every call has been answered the records
// are back in the free lists, so a steady stream of calls allocates none.
func TestZombieAttemptContextIsNotReused(t *testing.T) {
	e := sim.New()
	ed, err := NewEdge(e, "x", Policy{AttemptTimeout: 10 * sim.Millisecond}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	parent := Root(&Intent{ID: 1}, sim.Never, &Trace{})
	var zombie *Ctx
	slow := HandlerFunc(func(ctx *Ctx, reply Reply) {
		zombie = ctx
		e.After(sim.Second, func() {
			if ctx.Live() || ctx.Intent == nil || ctx.Intent.ID != 1 {
				t.Errorf("late work sees live=%v intent=%v: its context was reused", ctx.Live(), ctx.Intent)
			}
			reply(policy.Success)
		})
	})
	fast := &oneAtATime{e: e}
	fast.fire = fast.onFire
	var got Outcome = 255
	ed.Call(parent, slow, func(o Outcome) { got = o })
	for i := 0; i < 100; i++ {
		e.At(sim.Time(20+5*i)*sim.Millisecond, func() { ed.Call(Root(&Intent{ID: 2}, sim.Never, nil), fast, func(Outcome) {}) })
	}
	e.Run()
	if got != policy.Timeout || zombie == nil {
		t.Fatalf("outcome %v, want timeout", got)
	}
	// At most the zombie's attempt and one other were alive at once.
	if ed.freeAttempts.Len() != 2 || ed.freeCalls.Len() != 1 {
		t.Fatalf("free attempts %d, calls %d after every call was answered; want 2 and 1", ed.freeAttempts.Len(), ed.freeCalls.Len())
	}
	allocs := testing.AllocsPerRun(100, func() {
		ed.Call(parent, fast, func(Outcome) {})
		e.Run()
	})
	if allocs > 0 {
		t.Fatalf("%v allocations per call in steady state, want 0", allocs)
	}
}

// Seq runs its steps in order and stops at the first failure.
func TestSeq(t *testing.T) {
	for _, c := range []struct {
		n, failAt int
		want      Outcome
		ran       int
	}{{0, -1, policy.Success, 0}, {3, -1, policy.Success, 3}, {3, 1, policy.Failure, 2}} {
		var s Seq
		ran := 0
		s.Bind(func(i int, next Reply) {
			ran++
			if i == c.failAt {
				next(policy.Failure)
				return
			}
			next(policy.Success)
		})
		var got Outcome = 255
		s.Start(c.n, func(o Outcome) { got = o })
		if got != c.want || ran != c.ran {
			t.Errorf("n=%d failAt=%d: %v after %d steps, want %v after %d", c.n, c.failAt, got, ran, c.want, c.ran)
		}
	}
}

// oneAtATime is a server that answers one request at a time after 1 ms,
// without allocating.
type oneAtATime struct {
	e     *sim.Engine
	reply Reply
	fire  func()
}

func (s *oneAtATime) Serve(_ *Ctx, reply Reply) {
	s.reply = reply
	s.e.After(sim.Millisecond, s.fire)
}

func (s *oneAtATime) onFire() { s.reply(policy.Success) }

// nop is a Recycler for contexts whose records a test does not reuse.
type nop struct{}

func (nop) Recycle() {}

// A context under an inner one (skipped by the walk up) still sees the
// abandonment and cancellation of the ancestors above it.
func TestInnerContextsAreSkippedNotHidden(t *testing.T) {
	var root, attempt, inner, leaf Ctx
	root.InitRoot(&Intent{ID: 1}, sim.Never, &Trace{}, nop{})
	attempt.Init(&root, sim.Never, nop{})
	inner.InitInner(&attempt, sim.Never, nop{})
	leaf.Init(&inner, sim.Never, nop{})
	if !leaf.Live() || leaf.Cancelled() {
		t.Fatal("a fresh chain is not live")
	}
	attempt.Abandon(true)
	if leaf.Live() || !leaf.Cancelled() || inner.Live() {
		t.Fatalf("after the attempt was abandoned: leaf live %v cancelled %v, inner live %v", leaf.Live(), leaf.Cancelled(), inner.Live())
	}
	if !root.Live() {
		t.Fatal("abandoning a child reached the root")
	}
}

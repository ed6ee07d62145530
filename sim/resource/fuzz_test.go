package resource

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

// FuzzStationOps interprets bytes as a sequence of operations on a small
// station (submit, cancel, scale, advance time) and checks the contract:
// at most one callback per job, exactly one unless silenced by Cancel, and
// balanced books once everything has drained.
func FuzzStationOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, false)
	f.Add([]byte{0, 0, 0, 0, 16, 33, 50, 3, 3, 3}, true)
	f.Fuzz(func(t *testing.T, ops []byte, abandon bool) {
		e := sim.New()
		s, err := NewStation(e, StationConfig{Name: "f", Servers: 1, QueueCap: 3, MaxQueueTime: 2 * sim.Second, CancelAbandoned: abandon})
		if err != nil {
			t.Fatal(err)
		}
		var tickets []Ticket
		calls := []int{}
		silenced := map[int]bool{}
		for _, op := range ops {
			arg := int(op >> 3)
			switch op & 7 {
			case 0, 1, 2:
				id := len(calls)
				calls = append(calls, 0)
				tickets = append(tickets, s.SubmitPatience(sim.Time(arg)*sim.Second/4, sim.Time(arg%5)*sim.Second, func(Outcome, Timing) { calls[id]++ }))
			case 3:
				if len(tickets) > 0 {
					k := arg % len(tickets)
					if s.Cancel(tickets[k]) && !abandon {
						silenced[k] = true
					}
				}
			case 4:
				_ = s.SetServers(arg % 4)
			default:
				e.RunUntil(e.Now() + sim.Time(arg)*sim.Second/8)
			}
		}
		_ = s.SetServers(1)
		e.Run()
		for id, n := range calls {
			want := 1
			if silenced[id] {
				want = 0
			}
			if n != want {
				t.Fatalf("job %d: %d callbacks, want %d", id, n, want)
			}
		}
		st := s.Stats()
		if st.Rejected+st.Departures != st.Arrivals || s.Busy() != 0 || s.QueueLen() != 0 || st.Served+st.Zombie != st.Started {
			t.Fatalf("books: %+v busy %d queue %d", st, s.Busy(), s.QueueLen())
		}
	})
}

// FuzzLockTableOps runs arbitrary Lock/ReleaseAll/advance sequences: every
// Lock gets at most one callback (exactly one unless its txn ended while it
// was pending), and once every txn has ended the table is empty.
func FuzzLockTableOps(f *testing.F) {
	f.Add([]byte{0, 9, 18, 27, 1, 2, 3, 4, 5})
	f.Add([]byte{0, 8, 1, 9, 7, 7, 7, 7, 7, 7, 7, 7})
	f.Fuzz(func(t *testing.T, ops []byte) {
		e := sim.New()
		lt, err := NewLockTable(e, LockConfig{LockTimeout: 3 * sim.Second, DeadlockTimeout: sim.Second})
		if err != nil {
			t.Fatal(err)
		}
		calls := []int{}
		pendingCall := map[TxnID]int{} // txn -> index of its pending Lock
		dropped := map[int]bool{}
		for _, op := range ops {
			txn := TxnID(op>>3) % 6
			switch op & 7 {
			case 0, 1, 2, 3:
				id := len(calls)
				calls = append(calls, 0)
				if err := lt.Lock(txn, uint64(op&3), func(LockResult, sim.Time) {
					calls[id]++
					delete(pendingCall, txn)
				}); err != nil {
					calls[id] = 1 // refused synchronously: no callback expected
					continue
				}
				pendingCall[txn] = id
			case 4, 5:
				if id, ok := pendingCall[txn]; ok {
					dropped[id] = true
					delete(pendingCall, txn)
				}
				lt.ReleaseAll(txn)
			default:
				e.RunUntil(e.Now() + sim.Time(op>>3)*sim.Second/4)
			}
		}
		e.Run()
		for txn := TxnID(0); txn < 6; txn++ {
			lt.ReleaseAll(txn)
		}
		e.Run()
		for id, n := range calls {
			want := 1
			if dropped[id] {
				want = 0
			}
			if n != want {
				t.Fatalf("lock %d: %d callbacks, want %d", id, n, want)
			}
		}
		if len(lt.keys) != 0 || len(lt.txns) != 0 {
			t.Fatalf("%d keys and %d txns left", len(lt.keys), len(lt.txns))
		}
	})
}

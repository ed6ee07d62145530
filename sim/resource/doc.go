// Package resource provides the shared resources that simulated requests
// compete for: FIFO multi-server stations, load-dependent servers, counting
// semaphores (connection pools) and keyed exclusive lock tables.
//
// All resources are callback-style state machines driven by a sim.Engine:
// no goroutines, no wall clock. Conventions shared by every resource:
//
//   - Callbacks (done, granted) never run inside the call that caused them.
//     Even an immediate decision (a rejection, a free permit) is delivered
//     from an engine event at the current virtual time. This avoids
//     unbounded recursion when a callback resubmits (a retry with zero
//     backoff) and keeps the order of effects identical to the order of
//     events in the trace.
//   - Each submission returns a Ticket (slot index + generation, like
//     sim.Timer). A stale Ticket is harmless: operations on it report false.
//   - Bookkeeping is allocation-free in steady state: job records live in a
//     slice recycled through a free list, each record carries one prebound
//     event callback, and FIFO queues are ring buffers whose cancelled
//     entries are compacted away. Memory is bounded by what is in flight.
//   - Statistics cover a window that starts at creation or at the last
//     ResetStats (call it at the end of a warm-up). Time averages use the
//     same window, so Little's law L = lambda W can be checked directly:
//     MeanInSystem ~= Departures/Window * SojournSum/Departures.
package resource

// Package checkout assembles the checkout system from its components and
// runs it: users arrive (traffic), click "pay", pass the gateway, and the
// orchestrating service runs the flow's steps in order, each a call through
// its policy stack to a service whose work touches the database, the row
// locks, the cache and the payment providers. Nothing about the
// amplification loops is scripted here; they emerge from the components.
package checkout

import (
	"fmt"
	"slices"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/pricing"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Config is the whole checkout system of a scenario.
type Config struct {
	// Duration is the simulated time during which users arrive.
	Duration sim.Time
	// Warmup is excluded from the statistics.
	Warmup sim.Time
	// Drain is how long the run continues after Duration so that checkouts
	// in flight finish; those still unfinished are reported as such.
	Drain sim.Time
	// SampleInterval is the resolution of the time series.
	SampleInterval sim.Time

	Traffic   traffic.Config
	Services  []service.Config
	Database  database.Config
	Inventory inventory.Config
	Cache     cache.Config
	Pricing   pricing.Config
	Payments  payment.Config
	Flow      Flow
	// Host is the CPU the database and the services share when they run
	// on one machine (Cores 0, the default: not modelled).
	Host host.Config
}

// Flow is the path of a checkout through the services.
type Flow struct {
	// Gateway is the service that receives user requests ("" for none:
	// users call the orchestrator directly).
	Gateway string
	// GatewayPolicy is the policy stack on gateway -> orchestrator calls.
	GatewayPolicy call.Policy
	// Orchestrator is the service that runs the steps, holding one of its
	// workers for the whole checkout.
	Orchestrator string
	// Budget is the end-to-end time budget a checkout gets at the gateway;
	// edges that propagate deadlines respect it (0: none).
	Budget sim.Time
	// Steps run in order.
	Steps []Step
	// Browse is the path of browsing requests.
	Browse Browse
}

// Browse is the path of browsing traffic: gateway -> Service, which reads a
// product's price entry from the cache.
type Browse struct {
	Service string
	Policy  call.Policy
}

// StepKind is what a flow step does.
type StepKind string

// Step kinds.
const (
	KindGeneric   StepKind = "generic"   // Statements database statements (none: CPU only)
	KindCart      StepKind = "cart"      // load the cart: from cache, or the database for cold-cache users
	KindPricing   StepKind = "pricing"   // price the cart (models/pricing)
	KindInventory StepKind = "inventory" // reserve stock (models/inventory)
	KindOrder     StepKind = "order"     // write the order: Statements statements
	KindPayment   StepKind = "payment"   // charge through the providers (models/payment)
	KindConfirm   StepKind = "confirm"   // publish a confirmation; Service consumes it asynchronously
)

// Calls is how many calls a step makes per checkout.
type Calls string

// The call counts.
const (
	CallsOnce     Calls = "once"      // one call for the whole cart
	CallsPerItem  Calls = "per_item"  // one call per cart line
	CallsPerBatch Calls = "per_batch" // one call per BatchSize lines
)

var kinds = []StepKind{KindGeneric, KindCart, KindPricing, KindInventory, KindOrder, KindPayment, KindConfirm}

// Step is one step of the checkout flow.
type Step struct {
	Name string
	Kind StepKind
	// Service runs the step ("" or the orchestrator: in-process).
	Service string
	// Calls is "once", "per_item" (one call per cart line) or "per_batch"
	// (one call per BatchSize lines).
	Calls     Calls
	BatchSize int
	// Statements is the database statements of generic, cart and order steps.
	Statements int
	// CPU is extra work per call, in seconds (nil: none).
	CPU dist.Dist
	// Policy is the stack on orchestrator -> Service calls.
	Policy call.Policy
}

// Validate checks what each component cannot check alone: names that
// refer to each other. Each component's configuration (and each policy
// stack) has its own Validate, which the scenario loader calls at the
// right file line and the component's constructor calls again.
func (c *Config) Validate() error {
	var errs []error
	add := func(field, format string, args ...any) { errs = append(errs, check.Field(field, format, args...)) }
	if c.Duration <= 0 {
		add("duration", "must be > 0, got %v", c.Duration)
	}
	if c.Warmup < 0 || (c.Duration > 0 && c.Warmup >= c.Duration) {
		add("warmup", "must be >= 0 and less than duration (%v), got %v", c.Duration, c.Warmup)
	}
	if c.Drain < 0 {
		add("drain", "must be >= 0, got %v", c.Drain)
	}
	if c.SampleInterval <= 0 {
		add("sample_interval", "must be > 0, got %v", c.SampleInterval)
	} else if c.Duration/c.SampleInterval > 100_000 {
		add("sample_interval", "%v gives more than 100000 samples over %v", c.SampleInterval, c.Duration)
	}
	names := map[string]bool{}
	for i, s := range c.Services {
		if names[s.Name] {
			add(fmt.Sprintf("services[%d].name", i), "duplicate service name %q", s.Name)
		}
		names[s.Name] = true
	}
	known := func(field, name string, optional bool) {
		if name == "" && optional {
			return
		}
		if !names[name] {
			add(field, "no service named %q (services: %s)", name, serviceList(c.Services))
		}
	}
	f := &c.Flow
	known("flow.gateway", f.Gateway, true)
	known("flow.orchestrator", f.Orchestrator, false)
	known("flow.browse.service", f.Browse.Service, true)
	if f.Budget < 0 {
		add("flow.budget", "must be >= 0, got %v", f.Budget)
	}
	if len(f.Steps) == 0 {
		add("flow.steps", "at least one step is required")
	}
	stepNames := map[string]bool{}
	for i, s := range f.Steps {
		p := fmt.Sprintf("flow.steps[%d]", i)
		if s.Name == "" {
			add(p+".name", "must not be empty")
		} else if stepNames[s.Name] {
			add(p+".name", "duplicate step name %q", s.Name)
		}
		stepNames[s.Name] = true
		if !slices.Contains(kinds, s.Kind) {
			add(p+".kind", "unknown kind %q (want one of %v)", s.Kind, kinds)
		}
		known(p+".service", s.Service, s.Kind != KindConfirm)
		switch s.Calls {
		case CallsOnce, CallsPerItem:
		case CallsPerBatch:
			if s.BatchSize < 1 {
				add(p+".batch_size", "must be >= 1 with per_batch calls, got %d", s.BatchSize)
			}
		default:
			add(p+".calls", `must be "once", "per_item" or "per_batch", got %q`, s.Calls)
		}
		if s.Statements < 0 {
			add(p+".statements", "must be >= 0, got %d", s.Statements)
		}
		if s.Calls != CallsOnce && (s.Kind == KindPayment || s.Kind == KindConfirm || s.Kind == KindOrder) {
			add(p+".calls", "a %s step is made once per checkout, got %q", s.Kind, s.Calls)
		}
		if s.Kind == KindInventory && s.Calls != CallsOnce {
			// The reservation is one unit of work keyed by the checkout (its
			// idempotency key and its reservation count); split into calls
			// it would be mistaken for repeats of itself.
			add(p+".calls", "an inventory step reserves the whole cart in one call, got %q", s.Calls)
		}
	}
	if h := c.Inventory.HoldUntil; h != "" {
		inv, hold := -1, -1
		for i, s := range f.Steps {
			if s.Kind == KindInventory {
				inv = i
			}
			if s.Name == h {
				hold = i
			}
		}
		if hold < 0 || hold <= inv {
			add("inventory.hold_until", "must name a step after the inventory step, got %q", h)
		} else if f.Steps[inv].Service != "" && f.Steps[inv].Service != f.Orchestrator {
			add("inventory.hold_until", "a transaction held across steps must run in the orchestrator: set the inventory step's service to %q", f.Orchestrator)
		}
	}
	return check.Join(errs...)
}

func serviceList(ss []service.Config) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s.Name
	}
	return out
}

// Package stats emulates Temporal Cloud's per-namespace visibility rate limit and a fixed latency
// per call, and counts what the bench needs to check: calls, rejections, the busiest second, rows.
package stats

import (
	"sync"
	"time"
)

// VisibilityMethods are the calls Cloud counts against a namespace's visibility rate limit
// (frontend quotas: List/Count/Scan executions, schedules, activity executions, batch operations,
// worker deployments). Describe calls are not among them.
var VisibilityMethods = map[string]bool{
	"ListWorkflowExecutions": true, "CountWorkflowExecutions": true, "ScanWorkflowExecutions": true,
	"ListArchivedWorkflowExecutions": true, "ListSchedules": true, "CountSchedules": true,
	"ListActivityExecutions": true, "CountActivityExecutions": true, "ListBatchOperations": true,
	"ListWorkerDeployments": true,
}

// Config of the emulated budget; it can change while the server runs.
type Config struct {
	Latency       time.Duration
	VisibilityRPS float64 // per namespace; 0: no limit
	Burst         float64 // bucket size; 0: the same as VisibilityRPS
}

// bucket is a token bucket, full at start, refilled at rate tokens per second up to size.
type bucket struct {
	tokens float64
	last   time.Time
}

func (b *bucket) take(now time.Time, rate, size float64) bool {
	if b.last.IsZero() {
		b.tokens, b.last = size, now
	}
	b.tokens = min(size, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// window finds the most arrivals within any one second: counted at each arrival over the second
// that ends there, which is where every such maximum is reached. It keeps the calls of the first
// busiest second (when each arrived, and what it asked for), so a bench can tell who crowded it.
type window struct {
	arrivals []Arrival
	peak     int
	busiest  []Arrival
}

// Arrival is one call in a busiest second: when it arrived and a label (the method and its query).
type Arrival struct {
	At    time.Time `json:"at"`
	Label string    `json:"label"`
}

func (w *window) add(now time.Time, label string) {
	cut := 0
	for cut < len(w.arrivals) && now.Sub(w.arrivals[cut].At) >= time.Second {
		cut++
	}
	w.arrivals = append(w.arrivals[cut:], Arrival{At: now, Label: label})
	if len(w.arrivals) > w.peak {
		w.peak = len(w.arrivals)
		w.busiest = append([]Arrival(nil), w.arrivals...)
	}
}

type namespaceBudget struct {
	bucket   bucket
	all      window
	admitted window
}

type budget struct {
	mu     sync.Mutex
	config Config
	per    map[string]*namespaceBudget
}

func (b *budget) namespace(ns string) *namespaceBudget {
	n, ok := b.per[ns]
	if !ok {
		n = &namespaceBudget{}
		b.per[ns] = n
	}
	return n
}

// admit records a visibility call's arrival and says whether the limit lets it through.
func (b *budget) admit(ns string, now time.Time, label string) bool {
	n := b.namespace(ns)
	n.all.add(now, label)
	rate, size := b.config.VisibilityRPS, b.config.Burst
	if size == 0 {
		size = rate
	}
	if rate > 0 && !n.bucket.take(now, rate, max(size, 1)) {
		return false
	}
	n.admitted.add(now, label)
	return true
}

package stats

import (
	"sync"
	"time"
)

type counts map[string]map[string]int64 // method -> namespace -> n

func (c counts) add(method, ns string, n int64) {
	m, ok := c[method]
	if !ok {
		m = map[string]int64{}
		c[method] = m
	}
	m[ns] += n
}

func (c counts) copy() counts {
	out := counts{}
	for method, m := range c {
		for ns, n := range m {
			out.add(method, ns, n)
		}
	}
	return out
}

// Recorder counts calls and applies the budget; safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	since    time.Time
	calls    counts
	rejected counts
	rows     counts
	budget   budget
}

func NewRecorder(config Config) *Recorder {
	r := &Recorder{budget: budget{config: config, per: map[string]*namespaceBudget{}}}
	r.Reset()
	return r
}

// Reset zeroes every count and peak; the rate limiter's buckets keep their state (time goes on).
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.since = time.Now()
	r.calls, r.rejected, r.rows = counts{}, counts{}, counts{}
	r.budget.mu.Lock()
	defer r.budget.mu.Unlock()
	for _, n := range r.budget.per {
		n.all, n.admitted = window{}, window{}
	}
}

func (r *Recorder) Config() Config {
	r.budget.mu.Lock()
	defer r.budget.mu.Unlock()
	return r.budget.config
}

func (r *Recorder) SetConfig(c Config) {
	r.budget.mu.Lock()
	defer r.budget.mu.Unlock()
	r.budget.config = c
}

// Arrive records a call and says whether it may proceed (false: over the visibility limit). The
// label (the call's query, say) is kept only for the calls of a namespace's busiest second.
func (r *Recorder) Arrive(method, ns, label string) bool {
	now := time.Now()
	r.mu.Lock()
	r.calls.add(method, ns, 1)
	r.mu.Unlock()
	if !VisibilityMethods[method] {
		return true
	}
	r.budget.mu.Lock()
	admitted := r.budget.admit(ns, now, method+" "+label)
	r.budget.mu.Unlock()
	if !admitted {
		r.mu.Lock()
		r.rejected.add(method, ns, 1)
		r.mu.Unlock()
	}
	return admitted
}

// Served records rows (executions or schedules) a call returned.
func (r *Recorder) Served(method, ns string, rows int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows.add(method, ns, int64(rows))
}

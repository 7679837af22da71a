package store

import (
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/query"
)

// rowView shows a Core to the query; the workflow ID is built only when a condition asks for it.
type rowView struct {
	ns *Namespace
	c  gen.Core
}

func (r *rowView) Status() enumspb.WorkflowExecutionStatus { return r.c.Status }
func (r *rowView) StartNanos() int64                       { return r.c.Start }
func (r *rowView) CloseNanos() int64                       { return r.c.Close }

func (r *rowView) Keyword(f query.Field) (string, bool) {
	g := r.ns.gen
	switch f {
	case query.WorkflowType:
		return g.TypeName(r.c.Type), true
	case query.TaskQueue:
		return g.QueueName(r.c.Queue), true
	case query.ScheduledByID:
		if r.c.Schedule < 0 {
			return "", false
		}
		return g.ScheduleID(r.c.Schedule), true
	case query.WorkflowID:
		return g.WorkflowIDOf(r.c), true
	case query.RunID:
		return g.RunID(r.c.Index), true
	}
	return "", false
}

// indexRange is a half-open range of indices.
type indexRange struct{ lo, hi int }

func (r indexRange) overlaps(lo, hi int) bool { return r.lo < hi && lo < r.hi }

// keywordBounds answers MayHave for the block in [lo, hi): a workflow ID names its index (or its
// schedule and second), so only the block holding that index may have it; an unknown type, task
// queue or schedule is in no block.
type keywordBounds struct {
	ns     *Namespace
	lo, hi int
	ids    map[string]indexRange
}

func newKeywordBounds(ns *Namespace) *keywordBounds {
	return &keywordBounds{ns: ns, ids: map[string]indexRange{}}
}

func (k *keywordBounds) MayHave(f query.Field, v string) bool {
	g := k.ns.gen
	switch f {
	case query.WorkflowType:
		return g.IsWorkflowType(v)
	case query.ScheduledByID:
		return g.ScheduleIndex(v) >= 0
	case query.TaskQueue:
		for q := 0; q < g.Profile().TaskQueues; q++ {
			if g.QueueName(q) == v {
				return true
			}
		}
		return false
	case query.WorkflowID:
		r, ok := k.ids[v]
		if !ok {
			r = k.ns.candidatesForID(v)
			k.ids[v] = r
		}
		return r.overlaps(k.lo, k.hi)
	}
	return true
}

// candidatesForID is the index range that can hold runs with this workflow ID: the head's group
// (its continuations share the ID), or for a scheduled run every run started in that second.
func (ns *Namespace) candidatesForID(id string) indexRange {
	head, second, ok := ns.gen.HeadIndexFromID(id)
	if !ok {
		return indexRange{}
	}
	lo, hi := head, head+1
	if head < 0 {
		lo, hi = ns.firstStartAtOrAfter(second), ns.firstStartAtOrAfter(second+int64(time.Second))
		if lo == hi {
			return indexRange{}
		}
	}
	groupEnd := ((hi-1)/gen.GroupSize + 1) * gen.GroupSize
	return indexRange{lo: lo, hi: min(groupEnd, ns.total())}
}

// firstStartAtOrAfter over generated and appended executions.
func (ns *Namespace) firstStartAtOrAfter(t int64) int {
	if i := ns.gen.FirstStartAtOrAfter(t); i < ns.n {
		return i
	}
	return ns.n + sort.Search(len(ns.appended), func(k int) bool { return ns.appended[k] >= t })
}

// openBelow is how many open executions have an index below i.
func (ns *Namespace) openBelow(i int) int {
	return sort.Search(len(ns.open), func(k int) bool { return int(ns.open[k]) >= i })
}

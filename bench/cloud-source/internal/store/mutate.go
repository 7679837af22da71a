package store

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Mutation changes the data for incremental-pass benches. Which executions it touches depends
// only on the data and the mutations before it, so a sequence of mutations is reproducible; At
// (Unix ns, whole microseconds) is when they close or start.
type Mutation struct {
	Close  int
	Start  int
	Expire int
	At     int64
}

// MutationResult says what changed.
type MutationResult struct {
	Closed  int    `json:"closed"`
	Started int    `json:"started"`
	Expired int    `json:"expired"`
	At      string `json:"at"`
}

// EarliestMutation is the earliest time a mutation may happen: after every start and close so far.
func (ns *Namespace) EarliestMutation() int64 {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return ns.earliestMutation()
}

func (ns *Namespace) earliestMutation() int64 {
	earliest := ns.gen.EndNanos()
	if k := len(ns.appended); k > 0 {
		earliest = max(earliest, ns.appended[k-1]+int64(time.Microsecond))
	}
	return earliest
}

// Mutate applies m: closes m.Close open executions spread evenly over the open ones (by index,
// so over time too), starts m.Start new running ones, and expires the m.Expire oldest (retention).
func (ns *Namespace) Mutate(m Mutation) (MutationResult, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if m.Close < 0 || m.Start < 0 || m.Expire < 0 {
		return MutationResult{}, fmt.Errorf("close, start and expire must be whole numbers >= 0")
	}
	if m.At%int64(time.Microsecond) != 0 || m.At < ns.earliestMutation() {
		return MutationResult{}, fmt.Errorf("at must be whole microseconds, no earlier than %s",
			time.Unix(0, ns.earliestMutation()).UTC().Format(time.RFC3339Nano))
	}
	result := MutationResult{At: time.Unix(0, m.At).UTC().Format(time.RFC3339Nano)}
	result.Closed = ns.closeOpen(m.Close, m.At)
	result.Started = ns.startNew(m.Start, m.At)
	result.Expired = min(m.Expire, ns.total()-ns.first)
	ns.first += result.Expired
	return result, nil
}

func (ns *Namespace) closeOpen(k int, at int64) int {
	visible := ns.open[ns.openBelow(ns.first):]
	k = min(k, len(visible))
	if k == 0 {
		return 0
	}
	chosen := make(map[int32]bool, k)
	for j := 0; j < k; j++ {
		i := visible[j*len(visible)/k]
		chosen[i] = true
		status := ns.gen.ClosedBy(int(i))
		blk := &ns.blocks[int(i)/BlockSize]
		blk.counts[ns.core(int(i)).Status]--
		blk.counts[status]++
		blk.widenClose(at)
		ns.overrides[int(i)] = override{status: status, close: at}
	}
	kept := ns.open[:0:0]
	for _, i := range ns.open {
		if !chosen[i] {
			kept = append(kept, i)
		}
	}
	ns.open = kept
	return k
}

func (ns *Namespace) startNew(k int, at int64) int {
	for j := 0; j < k; j++ {
		i := ns.total()
		start := at + int64(j)*int64(time.Microsecond)
		ns.appended = append(ns.appended, start)
		if b := i / BlockSize; b == len(ns.blocks) {
			ns.blocks = append(ns.blocks, block{lo: i, hi: i, startMin: start})
		}
		blk := &ns.blocks[len(ns.blocks)-1]
		blk.hi = i + 1
		blk.startMax = start
		blk.counts[enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING]++
		ns.open = append(ns.open, int32(i))
	}
	return k
}

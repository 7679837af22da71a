// Package store keeps one namespace's executions as a generator plus the little that changes
// (closed or started by mutations, expired by retention), and answers queries over them by
// walking fixed blocks of indices whose bounds let most blocks be decided without looking inside.
package store

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	enumspb "go.temporal.io/api/enums/v1"

	"temporal-sync/bench/cloud-source/internal/gen"
)

// BlockSize is the number of consecutive indices summarised together (a multiple of gen.GroupSize).
const BlockSize = 2048

const numStatuses = 9 // WorkflowExecutionStatus values 0..8

type override struct {
	status enumspb.WorkflowExecutionStatus
	close  int64
}

type block struct {
	lo, hi             int
	startMin, startMax int64
	counts             [numStatuses]int32
	closeMin, closeMax int64 // over the closed rows; both 0 when there are none
}

// Namespace is safe for concurrent use: queries share a read lock, mutations take the write lock.
type Namespace struct {
	mu        sync.RWMutex
	gen       *gen.Generator
	n         int     // generated executions: indices [0, n)
	appended  []int64 // start times of executions started by mutations: indices n, n+1, …
	first     int     // indices below this have passed retention
	overrides map[int]override
	open      []int32 // indices of open executions, ascending
	blocks    []block
}

// New builds the block summaries (every execution is generated once, in parallel); progress is a
// line per 10% on large namespaces.
func New(g *gen.Generator, progress io.Writer) *Namespace {
	ns := &Namespace{gen: g, n: g.Executions(), overrides: map[int]override{}}
	count := (ns.n + BlockSize - 1) / BlockSize
	ns.blocks = make([]block, count)
	opens := make([][]int32, count)
	var next, done, reported int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				b := next
				next++
				mu.Unlock()
				if b >= count {
					return
				}
				ns.blocks[b], opens[b] = ns.summarise(b*BlockSize, min((b+1)*BlockSize, ns.n))
				mu.Lock()
				done++
				if decile := done * 10 / count; progress != nil && count >= 1000 && decile > reported {
					reported = decile
					fmt.Fprintf(progress, "cloud-source: namespace %s: %d%% of %d executions generated\n", g.Profile().Namespace, decile*10, ns.n)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, o := range opens {
		ns.open = append(ns.open, o...)
	}
	return ns
}

func (ns *Namespace) summarise(lo, hi int) (block, []int32) {
	b := block{lo: lo, hi: hi, startMin: ns.gen.StartNanos(lo), startMax: ns.gen.StartNanos(hi - 1)}
	var open []int32
	for i := lo; i < hi; i++ {
		c := ns.gen.Core(i)
		b.counts[c.Status]++
		if c.Close == 0 {
			open = append(open, int32(i))
		} else {
			b.widenClose(c.Close)
		}
	}
	return b, open
}

func (b *block) widenClose(t int64) {
	if b.closeMin == 0 || t < b.closeMin {
		b.closeMin = t
	}
	if t > b.closeMax {
		b.closeMax = t
	}
}

// total is one past the highest index (generated and appended).
func (ns *Namespace) total() int { return ns.n + len(ns.appended) }

func (ns *Namespace) core(i int) gen.Core {
	var c gen.Core
	if i < ns.n {
		c = ns.gen.Core(i)
	} else {
		c = ns.gen.AppendedCore(i, ns.appended[i-ns.n])
	}
	if len(ns.overrides) > 0 {
		if o, ok := ns.overrides[i]; ok {
			c.Status, c.Close = o.status, o.close
		}
	}
	return c
}

func (ns *Namespace) startOf(i int) int64 {
	if i < ns.n {
		return ns.gen.StartNanos(i)
	}
	return ns.appended[i-ns.n]
}

// Generator is the namespace's data generator (schedules, records).
func (ns *Namespace) Generator() *gen.Generator { return ns.gen }

// Summary is what the stats endpoint shows of a namespace.
type Summary struct {
	Generated int `json:"generated"`
	Started   int `json:"started"`
	Expired   int `json:"expired"`
	Closed    int `json:"closedByMutations"`
	Visible   int `json:"visible"`
	Open      int `json:"open"`
	Schedules int `json:"schedules"`
}

func (ns *Namespace) Summary() Summary {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return Summary{
		Generated: ns.n, Started: len(ns.appended), Expired: ns.first, Closed: len(ns.overrides),
		Visible: ns.total() - ns.first, Open: len(ns.open) - ns.openBelow(ns.first), Schedules: ns.gen.Schedules(),
	}
}

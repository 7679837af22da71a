package gen

import (
	"math"
	"sort"
	"time"
)

// timeline maps an execution's index to its start time: non-decreasing in the index, so the
// executions of a StartTime range are one contiguous run of indices, found by binary search.
// That keeps counting a range O(log n) and lets a listing in index order be a keyset scan.
type timeline struct {
	n       int
	salt    uint64
	startNs int64
	spanNs  float64
	cycles  float64
}

// Busier and quieter hours: the density of starts swings ±50% around its mean once a day.
const rhythm = 0.5

func newTimeline(p Profile, salt uint64) timeline {
	cycles := math.Max(1, math.Round(p.Span.Hours()/24))
	return timeline{
		n:       p.Executions,
		salt:    salt,
		startNs: p.End.Add(-p.Span).UnixNano(),
		spanNs:  float64(p.Span.Nanoseconds()),
		cycles:  cycles,
	}
}

// warp is strictly increasing on [0, 1] (its slope stays within 1±rhythm) with warp(0)=0, warp(1)=1.
func (t timeline) warp(x float64) float64 {
	w := 2 * math.Pi * t.cycles
	y := x - rhythm*math.Sin(w*x)/w
	return math.Min(math.Max(y, 0), math.Nextafter(1, 0))
}

// at is the start time of execution i in Unix nanoseconds, whole microseconds (Postgres's precision).
func (t timeline) at(i int) int64 {
	d := newDraws(t.salt, i, streamTime)
	x := (float64(i) + d.unit()*0.999) / float64(t.n)
	ns := t.startNs + int64(t.warp(x)*t.spanNs)
	return ns - ns%int64(time.Microsecond)
}

// firstAtOrAfter is the smallest index whose start time is >= ns (n when there is none).
func (t timeline) firstAtOrAfter(ns int64) int {
	return sort.Search(t.n, func(i int) bool { return t.at(i) >= ns })
}

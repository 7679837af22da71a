package gen

// Every generated value comes from a counter-based hash of (namespace salt, index, stream), so any
// execution can be built from its index alone, in any order, on any call, with nothing stored.

const golden = 0x9e3779b97f4a7c15

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Stream names one independent sequence of draws per index, so adding a field to one stream never
// changes the values of another (the data stays the same across versions for the same seed).
type stream uint64

const (
	streamTime stream = iota + 1
	streamRole
	streamStatus
	streamShape
	streamCounters
	streamRunID
	streamMemo
	streamAttributes
	streamPending
	streamMutation
	streamSchedule
)

// draws is a small splitmix64 sequence.
type draws struct{ state uint64 }

func newDraws(salt uint64, index int, s stream) draws {
	return draws{state: mix(salt ^ mix(uint64(index)*golden+uint64(s)*0xd1b54a32d192ed03))}
}

func (d *draws) next() uint64 {
	d.state += golden
	return mix(d.state)
}

// unit is uniform in [0, 1).
func (d *draws) unit() float64 { return float64(d.next()>>11) / (1 << 53) }

// below is uniform in [0, n).
func (d *draws) below(n int) int {
	if n <= 1 {
		return 0
	}
	return int(d.next() % uint64(n))
}

// chance is true with probability p.
func (d *draws) chance(p float64) bool { return d.unit() < p }

// Salt is the per-namespace key of every draw: the same seed and name give the same data.
func Salt(seed uint64, namespace string) uint64 {
	h := mix(seed ^ 0x5bd1e9955bd1e995)
	for i := 0; i < len(namespace); i++ {
		h = mix(h ^ uint64(namespace[i]))
	}
	return h
}

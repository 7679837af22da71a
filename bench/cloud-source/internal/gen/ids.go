package gen

import (
	"strconv"
	"strings"
	"time"
)

const hexDigits = "0123456789abcdef"

func uuidFrom(d draws) string {
	hi, lo := d.next(), d.next()
	hi = hi&^(0xf<<12) | 0x4<<12       // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // RFC 4122 variant
	var b [36]byte
	pos := 0
	put := func(v uint64, nibbles int) {
		for k := nibbles - 1; k >= 0; k-- {
			b[pos] = hexDigits[(v>>(uint(k)*4))&0xf]
			pos++
		}
	}
	put(hi>>32, 8)
	b[pos] = '-'
	pos++
	put(hi>>16, 4)
	b[pos] = '-'
	pos++
	put(hi, 4)
	b[pos] = '-'
	pos++
	put(lo>>48, 4)
	b[pos] = '-'
	pos++
	put(lo, 12)
	return string(b[:])
}

// RunID of execution i (UUIDv4 form).
func (g *Generator) RunID(i int) string { return uuidFrom(newDraws(g.salt, i, streamRunID)) }

// ScheduledWorkflowID is the ID a schedule gives a workflow it starts: "<action workflow ID>-<RFC3339 second>".
func (g *Generator) ScheduledWorkflowID(k int, scheduledNs int64) string {
	return g.names.actionID[k] + "-" + time.Unix(0, scheduledNs).UTC().Truncate(time.Second).Format(time.RFC3339)
}

// WorkflowID of the chain head `head` with core c. Most are "<type slug>-<index>"; some carry a
// suffix: a short hash, a long tail (IDs near 200 characters) or quotes and non-ASCII text.
func (g *Generator) WorkflowID(c Core, head int, headStart int64) string {
	if c.Schedule >= 0 {
		return g.ScheduledWorkflowID(c.Schedule, headStart)
	}
	id := g.names.slugs[c.Type] + "-" + strconv.Itoa(head)
	d := newDraws(g.salt, head, streamRunID)
	d.next()
	d.next()
	switch u := d.unit(); {
	case u < 0.005:
		return id + `-"quoted" ünïcødé 🚀`
	case u < 0.02:
		return id + "-" + strings.Repeat(uuidFrom(d), 5)
	case u < 0.10:
		return id + "-" + uuidFrom(d)[:8]
	}
	return id
}

// HeadIndexFromID finds the index a workflow ID was built from (its chain head), without a scan:
// the index is in the ID, or the ID names a schedule and a second (then `at` is that second).
// The caller checks the candidates against the real IDs.
func (g *Generator) HeadIndexFromID(id string) (head int, at int64, ok bool) {
	if sched, second, found := g.parseScheduledID(id); found && sched >= 0 {
		return -1, second, true
	}
	for _, s := range g.names.slugs {
		if !strings.HasPrefix(id, s+"-") {
			continue
		}
		rest := id[len(s)+1:]
		end := strings.IndexByte(rest, '-')
		if end < 0 {
			end = len(rest)
		}
		n, err := strconv.Atoi(rest[:end])
		if err == nil && n >= 0 {
			return n, 0, true
		}
	}
	return 0, 0, false
}

func (g *Generator) parseScheduledID(id string) (schedule int, second int64, ok bool) {
	const stamp = len("2006-01-02T15:04:05Z")
	if len(id) < stamp+2 || id[len(id)-stamp-1] != '-' {
		return -1, 0, false
	}
	t, err := time.Parse(time.RFC3339, id[len(id)-stamp:])
	if err != nil {
		return -1, 0, false
	}
	if k, ok := g.names.actionOf[id[:len(id)-stamp-1]]; ok {
		return k, t.UnixNano(), true
	}
	return -1, 0, false
}

// ScheduleIndex of a schedule ID, or -1.
func (g *Generator) ScheduleIndex(id string) int {
	if k, ok := g.names.scheduleOf[id]; ok {
		return k
	}
	return -1
}

// IsWorkflowType is true when the namespace has a type of that name.
func (g *Generator) IsWorkflowType(name string) bool {
	for _, t := range g.names.types {
		if t == name {
			return true
		}
	}
	return false
}

func (g *Generator) TypeName(t int) string   { return g.names.types[t] }
func (g *Generator) QueueName(q int) string  { return g.names.queues[q] }
func (g *Generator) ScheduleID(k int) string { return g.names.scheduleID[k] }

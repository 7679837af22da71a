package gen

import (
	"math"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Role says how an execution relates to the ones just before it. Relations never cross a group
// of GroupSize consecutive indices, so resolving one (a chain's head, a root) takes a few steps.
type Role uint8

const (
	RoleHead         Role = iota // a workflow's own first run
	RoleChild                    // started by an earlier run of its group
	RoleContinuation             // continues the previous index (continue-as-new): same workflow ID
)

const GroupSize = 8

// Core is what queries look at: cheap to compute, no strings.
type Core struct {
	Index    int
	Role     Role
	Status   enumspb.WorkflowExecutionStatus
	Start    int64 // Unix ns
	Close    int64 // Unix ns; 0 while open
	Type     int
	Queue    int
	Schedule int // the schedule that started it, or -1
}

// Generator builds one namespace's executions from their indices.
type Generator struct {
	p           Profile
	salt        uint64
	tl          timeline
	names       names
	endNs       int64
	closedCum   []float64
	closedOf    []enumspb.WorkflowExecutionStatus
	logMinDur   float64
	logSpanDur  float64
	namespaceID string
}

func New(p Profile) (*Generator, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	salt := Salt(p.Seed, p.Namespace)
	g := &Generator{p: p, salt: salt, tl: newTimeline(p, salt), names: newNames(p), endNs: p.End.UnixNano()}
	total := 0.0
	for _, w := range p.ClosedMix {
		total += w.Weight
		g.closedCum = append(g.closedCum, total)
		g.closedOf = append(g.closedOf, w.Status)
	}
	for i := range g.closedCum {
		g.closedCum[i] /= total
	}
	g.logMinDur = math.Log(float64(100 * time.Millisecond))
	g.logSpanDur = math.Log(float64(p.MaxDuration)) - g.logMinDur
	g.namespaceID = uuidFrom(newDraws(salt, -1, streamRunID))
	return g, nil
}

func (g *Generator) Profile() Profile       { return g.p }
func (g *Generator) NamespaceID() string    { return g.namespaceID }
func (g *Generator) Executions() int        { return g.p.Executions }
func (g *Generator) EndNanos() int64        { return g.endNs }
func (g *Generator) StartNanos(i int) int64 { return g.tl.at(i) }

// FirstStartAtOrAfter is the smallest generated index whose start time is >= ns.
func (g *Generator) FirstStartAtOrAfter(ns int64) int { return g.tl.firstAtOrAfter(ns) }

func (g *Generator) role(i int) Role {
	if i%GroupSize == 0 || i >= g.p.Executions {
		return RoleHead
	}
	d := newDraws(g.salt, i, streamRole)
	u := d.unit()
	switch {
	case u < g.p.ContinuationShare:
		return RoleContinuation
	case u < g.p.ContinuationShare+g.p.ChildShare:
		return RoleChild
	}
	return RoleHead
}

// chainHead is the first run of i's continue-as-new chain.
func (g *Generator) chainHead(i int) int {
	for i%GroupSize != 0 && g.role(i) == RoleContinuation {
		i--
	}
	return i
}

// shape is the type, task queue and schedule of a chain's head; its continuations inherit them.
func (g *Generator) shape(head int, role Role) (typ, queue, schedule int) {
	d := newDraws(g.salt, head, streamShape)
	schedule = -1
	if role == RoleHead && g.p.Schedules > 0 && d.chance(g.p.ScheduledShare) {
		schedule = d.below(g.p.Schedules)
		typ = scheduleType(schedule, g.p.WorkflowTypes)
	} else {
		typ = g.names.pickType(d.unit())
	}
	queue = typ % g.p.TaskQueues
	if d.chance(0.05) {
		queue = (typ + 1) % g.p.TaskQueues
	}
	return typ, queue, schedule
}

// Core of a generated execution (index < Executions).
func (g *Generator) Core(i int) Core {
	c := Core{Index: i, Role: g.role(i), Start: g.tl.at(i)}
	head := i
	if c.Role == RoleContinuation {
		head = g.chainHead(i)
	}
	c.Type, c.Queue, c.Schedule = g.shape(head, g.role(head))
	if next := i + 1; next < g.p.Executions && next%GroupSize != 0 && g.role(next) == RoleContinuation {
		c.Status = enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
		c.Close = g.tl.at(next)
		return c
	}
	d := newDraws(g.salt, i, streamStatus)
	if d.chance(g.p.OpenShare) {
		c.Status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
		return c
	}
	status, duration := g.closedStatus(d.unit()), g.duration(&d)
	if close := c.Start + duration - duration%int64(time.Microsecond); close <= g.endNs {
		c.Status, c.Close = status, close
		return c
	}
	// A run that would close after the end of the span is still running (long runs started lately).
	c.Status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	return c
}

// AppendedCore is an execution started after the generated span (by a mutation): a running head.
func (g *Generator) AppendedCore(i int, start int64) Core {
	c := Core{Index: i, Role: RoleHead, Start: start, Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
	c.Type, c.Queue, c.Schedule = g.shape(i, RoleHead)
	return c
}

// ClosedBy is the status an execution closed by a mutation gets (never continued-as-new).
func (g *Generator) ClosedBy(i int) enumspb.WorkflowExecutionStatus {
	d := newDraws(g.salt, i, streamMutation)
	return g.closedStatus(d.unit())
}

func (g *Generator) closedStatus(u float64) enumspb.WorkflowExecutionStatus {
	for k, c := range g.closedCum {
		if u < c {
			return g.closedOf[k]
		}
	}
	return g.closedOf[len(g.closedOf)-1]
}

func (g *Generator) duration(d *draws) int64 {
	return int64(math.Exp(g.logMinDur + d.unit()*g.logSpanDur))
}

// expUnit maps u in [0, 1) to [1/5000, 1) log-uniformly: counters spread over orders of magnitude.
func expUnit(u float64) float64 { return math.Exp((u - 1) * math.Log(5000)) }

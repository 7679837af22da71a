package gen

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// StatusWeight is one closed status and its relative weight in the mix of closed executions.
type StatusWeight struct {
	Status enumspb.WorkflowExecutionStatus
	Weight float64
}

// Profile says what one namespace's generated data looks like. Two runs with equal profiles
// serve byte-for-byte equal data.
type Profile struct {
	Namespace  string
	Seed       uint64
	Executions int
	// Start times spread over [End-Span, End), with a daily rhythm (busier hours, quieter ones).
	End  time.Time
	Span time.Duration
	// Share of executions still running, besides those whose run would end after the span (about
	// 0.35% more with the defaults: mean duration over the span).
	OpenShare float64
	// Statuses of the closed ones (continued-as-new runs come from the chains, not from the mix).
	ClosedMix []StatusWeight
	// How many workflow types and task queues the runs spread over (types: a few common, many rare).
	WorkflowTypes int
	TaskQueues    int
	// Share of runs that are children of an earlier run, continue an earlier run (same workflow ID,
	// first_run_id of the chain), or were started by a schedule (TemporalScheduledById).
	ChildShare        float64
	ContinuationShare float64
	ScheduledShare    float64
	Schedules         int
	// Longest run of a closed execution; durations are log-uniform from 100 ms to this.
	MaxDuration time.Duration
	Retention   time.Duration
}

// DefaultClosedMix is roughly what a production namespace shows.
func DefaultClosedMix() []StatusWeight {
	return []StatusWeight{
		{enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, 90},
		{enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, 4},
		{enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, 2},
		{enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, 2},
		{enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, 2},
	}
}

// Validate names the first field that cannot work.
func (p Profile) Validate() error {
	switch {
	case p.Namespace == "":
		return fmt.Errorf("namespace name is empty")
	case p.Executions < 0 || p.Executions > 1<<31-1:
		return fmt.Errorf("namespace %q: executions must be between 0 and %d", p.Namespace, 1<<31-1)
	case p.Span <= 0:
		return fmt.Errorf("span must be positive")
	case p.OpenShare < 0 || p.OpenShare > 1:
		return fmt.Errorf("open share must be between 0 and 1")
	case p.ChildShare < 0 || p.ContinuationShare < 0 || p.ChildShare+p.ContinuationShare > 0.9:
		return fmt.Errorf("child share + continuation share must be between 0 and 0.9")
	case p.ScheduledShare < 0 || p.ScheduledShare > 1:
		return fmt.Errorf("scheduled share must be between 0 and 1")
	case p.ScheduledShare > 0 && p.Schedules == 0:
		return fmt.Errorf("a scheduled share needs at least one schedule")
	case p.WorkflowTypes < 1 || p.TaskQueues < 1:
		return fmt.Errorf("workflow types and task queues must be at least 1")
	case p.MaxDuration < 100*time.Millisecond:
		return fmt.Errorf("max duration must be at least 100ms")
	case len(p.ClosedMix) == 0:
		return fmt.Errorf("closed status mix is empty")
	}
	for _, w := range p.ClosedMix {
		if w.Weight < 0 || isOpen(w.Status) || w.Status == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
			return fmt.Errorf("closed status mix: %s cannot be part of it", w.Status)
		}
	}
	return nil
}

func isOpen(s enumspb.WorkflowExecutionStatus) bool {
	return s == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || s == enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
}

// IsOpen is true for statuses with no close time.
func IsOpen(s enumspb.WorkflowExecutionStatus) bool { return isOpen(s) }

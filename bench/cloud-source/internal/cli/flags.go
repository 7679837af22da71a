package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"temporal-sync/bench/cloud-source/internal/gen"
)

// usageError is bad input: main prints it as one line and exits 2.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

func badInput(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// IsUsageError tells main to exit 2 rather than 1.
func IsUsageError(err error) bool {
	_, ok := err.(usageError)
	return ok
}

// newFlagSet parses quietly: errors become one-line usage errors, --help prints the usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string, usage string, out io.Writer) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(out, usage)
			return true, nil
		}
		return false, badInput("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return false, badInput("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return false, nil
}

// parseNamespaces reads "name[=executions],…".
func parseNamespaces(text string, defaultExecutions int) (names []string, executions map[string]int, err error) {
	executions = map[string]int{}
	for _, part := range strings.Split(text, ",") {
		name, count, hasCount := strings.Cut(strings.TrimSpace(part), "=")
		if name == "" {
			return nil, nil, badInput("--namespaces: empty namespace name in %q", text)
		}
		if _, seen := executions[name]; seen {
			return nil, nil, badInput("--namespaces: %q is named twice", name)
		}
		n := defaultExecutions
		if hasCount {
			n, err = parseCount(count)
			if err != nil {
				return nil, nil, badInput("--namespaces: %s: %v", name, err)
			}
		}
		names = append(names, name)
		executions[name] = n
	}
	return names, executions, nil
}

// parseCount reads a whole number, allowing 1_000_000, 1M and 10M.
func parseCount(text string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(text), "_", "")
	multiplier := 1
	switch {
	case strings.HasSuffix(t, "M"):
		multiplier, t = 1_000_000, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "k"):
		multiplier, t = 1_000, strings.TrimSuffix(t, "k")
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number >= 0", text)
	}
	return n * multiplier, nil
}

// parseClosedMix reads "completed=90,failed=4,…".
func parseClosedMix(text string) ([]gen.StatusWeight, error) {
	var mix []gen.StatusWeight
	for _, part := range strings.Split(text, ",") {
		name, weight, ok := strings.Cut(strings.TrimSpace(part), "=")
		status, known := statusNames[strings.ToLower(name)]
		w, err := strconv.ParseFloat(weight, 64)
		if !ok || !known || err != nil || w < 0 {
			return nil, badInput("--closed-mix: %q is not <status>=<weight> with status one of completed, failed, canceled, terminated, timed-out", part)
		}
		mix = append(mix, gen.StatusWeight{Status: status, Weight: w})
	}
	return mix, nil
}

var statusNames = map[string]enumspb.WorkflowExecutionStatus{
	"completed": enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, "failed": enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
	"canceled": enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, "terminated": enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED,
	"timed-out": enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, "timedout": enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
}

func parseTime(flagName, text string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}, badInput("--%s: %q is not an RFC 3339 time (e.g. 2026-01-01T00:00:00Z)", flagName, text)
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

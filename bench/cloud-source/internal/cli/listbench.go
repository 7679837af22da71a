package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"temporal-sync/bench/cloud-source/internal/listbench"
)

const listBenchUsage = `Usage: cloud-source list-bench --address HOST:PORT --from TIME --to TIME [flags]

Lists a namespace of a running cloud-source as fast as it serves it and prints one JSON line
{listers, rows, pages, bytes, seconds, rowsPerSecond}. One lister sends the empty query (a full
pass); N listers each list one of N equal StartTime ranges of [--from, --to).
  --address HOST:PORT   the source's gRPC address (required)
  --namespace NAME      (default "bench")
  --listers N           concurrent listers (default 1)
  --page-size N         (default 1000)
  --from TIME --to TIME the span of start times, RFC 3339 (required with --listers > 1)
`

func ListBench(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("list-bench")
	address := fs.String("address", "", "")
	namespace := fs.String("namespace", "bench", "")
	listers := fs.Int("listers", 1, "")
	pageSize := fs.Int("page-size", 1000, "")
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	if help, err := parseFlags(fs, args, listBenchUsage, stdout); help || err != nil {
		return err
	}
	if *address == "" || *listers < 1 || *pageSize < 1 {
		return badInput("--address is required; --listers and --page-size must be >= 1 (see --help)")
	}
	queries := []string{""}
	if *listers > 1 {
		start, err := parseTime("from", *from)
		if err != nil {
			return err
		}
		end, err := parseTime("to", *to)
		if err != nil {
			return err
		}
		queries = partitions(start, end, *listers)
	}
	result, err := listbench.Run(*address, *namespace, queries, int32(*pageSize))
	if err != nil {
		return fmt.Errorf("listing failed: %v", err)
	}
	return json.NewEncoder(stdout).Encode(result)
}

// partitions: n disjoint StartTime ranges covering [from, to), the first and last left open.
func partitions(from, to time.Time, n int) []string {
	step := to.Sub(from) / time.Duration(n)
	queries := make([]string, n)
	for k := range queries {
		lo, hi := from.Add(time.Duration(k)*step), from.Add(time.Duration(k+1)*step)
		switch {
		case k == 0:
			queries[k] = fmt.Sprintf("StartTime < '%s'", hi.Format(time.RFC3339Nano))
		case k == n-1:
			queries[k] = fmt.Sprintf("StartTime >= '%s'", lo.Format(time.RFC3339Nano))
		default:
			queries[k] = fmt.Sprintf("StartTime >= '%s' AND StartTime < '%s'", lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano))
		}
	}
	return queries
}

// Command cloud-source is a Temporal-Cloud-like WorkflowService for benchmarking temporal-sync:
// generated executions and schedules, a per-call latency and a visibility rate limit, plus a
// delay proxy for Postgres and a listing benchmark. Run with --help.
package main

import (
	"fmt"
	"os"

	"temporal-sync/bench/cloud-source/internal/cli"
)

const usage = `Usage: cloud-source [serve] [flags]     serve generated namespaces (see cloud-source serve --help)
       cloud-source delay-proxy [flags]   a TCP proxy with a fixed delay each way
       cloud-source list-bench [flags]    measure how fast a running source serves listings
`

func main() {
	args := os.Args[1:]
	command := cli.Serve
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "delay-proxy":
			command, args = cli.DelayProxy, args[1:]
		case "list-bench":
			command, args = cli.ListBench, args[1:]
		case "help":
			fmt.Print(usage)
			return
		default:
			if len(args[0]) > 0 && args[0][0] != '-' {
				fmt.Fprintf(os.Stderr, "cloud-source: unknown command %q\n%s", args[0], usage)
				os.Exit(2)
			}
		}
	}
	if err := command(args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "cloud-source: %v\n", err)
		if cli.IsUsageError(err) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

package cli

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"temporal-sync/bench/cloud-source/internal/gen"
	"temporal-sync/bench/cloud-source/internal/httpapi"
	"temporal-sync/bench/cloud-source/internal/service"
	"temporal-sync/bench/cloud-source/internal/stats"
	"temporal-sync/bench/cloud-source/internal/store"
)

const serveUsage = `Usage: cloud-source [serve] [flags]

Serves Temporal's WorkflowService (gRPC) from generated, deterministic executions and schedules,
with a per-call latency and Temporal Cloud's per-namespace visibility rate limit, so a sync's
figures measure the worker, not a Temporal server. A JSON side port serves stats and mutations.

Data
  --namespaces LIST          name[=N],… (default "bench"); N as 5000, 1_000_000, 1M or 10M
  --executions N             executions of a namespace named without =N (default 1M)
  --seed N                   the same seed gives the same data (default 1)
  --end TIME                 start times end here, RFC 3339 (default 2026-01-01T00:00:00Z)
  --span DURATION            and begin this long before (default 720h: 30 days)
  --open-share X             share of executions still running (default 0.01)
  --closed-mix LIST          status=weight,… of closed ones (default completed=90,failed=4,
                             canceled=2,terminated=2,timed-out=2)
  --workflow-types N         (default 12)   --task-queues N (default 4)
  --child-share X            (default 0.1)  --continue-as-new-share X (default 0.05)
  --scheduled-share X        share of runs started by a schedule (default 0.1)
  --schedules N              schedules per namespace (default 200)
  --max-duration DURATION    longest closed run (default 36h)
  --retention DURATION       what DescribeNamespace reports (default 720h)
Budget
  --latency DURATION         added to every call (default 0s)
  --visibility-rps X         per-namespace limit on visibility calls, 0 for none (default 30)
  --visibility-burst X       token bucket size (default: the rate)
  --max-page-size N          page size clamp, as frontend.visibilityMaxPageSize (default 1000)
Diagnosis
  --cpu-profile FILE         write a Go CPU profile of the whole run to FILE
Listening (loopback by default; port 0 picks a free one, named in the ready line)
  --host HOST  --grpc-port N  --http-port N

HTTP side port: GET /stats, POST /reset, POST /config {latencyMs, visibilityRps, visibilityBurst},
POST /mutate {namespace, close, start, expire, at}.
Other commands: cloud-source delay-proxy --help, cloud-source list-bench --help.
`

type serveOptions struct {
	profiles           []gen.Profile
	config             stats.Config
	maxPageSize        int
	host               string
	grpcPort, httpPort int
	cpuProfile         string
}

func parseServe(args []string, out io.Writer) (*serveOptions, bool, error) {
	fs := newFlagSet("serve")
	namespaces := fs.String("namespaces", "bench", "")
	executions := fs.String("executions", "1M", "")
	seed := fs.Uint64("seed", 1, "")
	end := fs.String("end", "2026-01-01T00:00:00Z", "")
	span := fs.Duration("span", 720*time.Hour, "")
	openShare := fs.Float64("open-share", 0.01, "")
	closedMix := fs.String("closed-mix", "completed=90,failed=4,canceled=2,terminated=2,timed-out=2", "")
	types := fs.Int("workflow-types", 12, "")
	queues := fs.Int("task-queues", 4, "")
	childShare := fs.Float64("child-share", 0.1, "")
	continuationShare := fs.Float64("continue-as-new-share", 0.05, "")
	scheduledShare := fs.Float64("scheduled-share", 0.1, "")
	schedules := fs.Int("schedules", 200, "")
	maxDuration := fs.Duration("max-duration", 36*time.Hour, "")
	retention := fs.Duration("retention", 720*time.Hour, "")
	o := &serveOptions{}
	fs.DurationVar(&o.config.Latency, "latency", 0, "")
	fs.Float64Var(&o.config.VisibilityRPS, "visibility-rps", 30, "")
	fs.Float64Var(&o.config.Burst, "visibility-burst", 0, "")
	fs.IntVar(&o.maxPageSize, "max-page-size", 1000, "")
	fs.StringVar(&o.host, "host", "127.0.0.1", "")
	fs.IntVar(&o.grpcPort, "grpc-port", 0, "")
	fs.IntVar(&o.httpPort, "http-port", 0, "")
	fs.StringVar(&o.cpuProfile, "cpu-profile", "", "")
	if help, err := parseFlags(fs, args, serveUsage, out); help || err != nil {
		return nil, help, err
	}
	defaultN, err := parseCount(*executions)
	if err != nil {
		return nil, false, badInput("--executions: %v", err)
	}
	names, counts, err := parseNamespaces(*namespaces, defaultN)
	if err != nil {
		return nil, false, err
	}
	endTime, err := parseTime("end", *end)
	if err != nil {
		return nil, false, err
	}
	mix, err := parseClosedMix(*closedMix)
	if err != nil {
		return nil, false, err
	}
	if o.config.Latency < 0 || o.config.VisibilityRPS < 0 || o.config.Burst < 0 || o.maxPageSize < 1 {
		return nil, false, badInput("--latency, --visibility-rps and --visibility-burst must be >= 0, --max-page-size >= 1")
	}
	for _, name := range names {
		p := gen.Profile{
			Namespace: name, Seed: *seed, Executions: counts[name], End: endTime, Span: *span,
			OpenShare: *openShare, ClosedMix: mix, WorkflowTypes: *types, TaskQueues: *queues,
			ChildShare: *childShare, ContinuationShare: *continuationShare, ScheduledShare: *scheduledShare,
			Schedules: *schedules, MaxDuration: *maxDuration, Retention: *retention,
		}
		if err := p.Validate(); err != nil {
			return nil, false, badInput("%v", err)
		}
		o.profiles = append(o.profiles, p)
	}
	return o, false, nil
}

// Serve runs the source until SIGINT or SIGTERM.
func Serve(args []string, stdout, stderr io.Writer) error {
	o, help, err := parseServe(args, stdout)
	if help || err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stop, err := startProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	// The heap is small (block summaries, pages in flight): trading a little memory for less GC work.
	debug.SetGCPercent(400)
	started := time.Now()
	namespaces := map[string]*store.Namespace{}
	for _, p := range o.profiles {
		g, _ := gen.New(p)
		namespaces[p.Namespace] = store.New(g, stderr)
	}
	recorder := stats.NewRecorder(o.config)
	grpcListener, err := net.Listen("tcp", net.JoinHostPort(o.host, fmt.Sprint(o.grpcPort)))
	if err != nil {
		return fmt.Errorf("cannot listen for gRPC on %s:%d: %v (change --grpc-port)", o.host, o.grpcPort, err)
	}
	httpListener, err := net.Listen("tcp", net.JoinHostPort(o.host, fmt.Sprint(o.httpPort)))
	if err != nil {
		return fmt.Errorf("cannot listen for HTTP on %s:%d: %v (change --http-port)", o.host, o.httpPort, err)
	}
	server := grpc.NewServer(grpc.UnaryInterceptor(service.Budget(recorder)))
	workflowservice.RegisterWorkflowServiceServer(server, service.New(namespaces, recorder, o.maxPageSize))
	healthpb.RegisterHealthServer(server, health.NewServer())
	go func() { _ = server.Serve(grpcListener) }()
	go func() { _ = http.Serve(httpListener, httpapi.Handler(namespaces, recorder)) }()
	fmt.Fprintf(stdout, "cloud-source ready: grpc %s http http://%s (%s; latency %s; %s; pages up to %d; built in %s)\n",
		grpcListener.Addr(), httpListener.Addr(), describeNamespaces(o.profiles), o.config.Latency,
		describeLimit(o.config), o.maxPageSize, time.Since(started).Round(time.Millisecond))
	waitForSignal()
	server.Stop()
	return nil
}

func describeNamespaces(profiles []gen.Profile) string {
	parts := make([]string, 0, len(profiles))
	for _, p := range profiles {
		parts = append(parts, fmt.Sprintf("%s=%d", p.Namespace, p.Executions))
	}
	sort.Strings(parts)
	return "namespaces " + strings.Join(parts, ",")
}

func describeLimit(c stats.Config) string {
	if c.VisibilityRPS == 0 {
		return "no visibility limit"
	}
	burst := c.Burst
	if burst == 0 {
		burst = c.VisibilityRPS
	}
	return fmt.Sprintf("visibility %g/s per namespace, burst %g", c.VisibilityRPS, burst)
}

func waitForSignal() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}

func startProfile(path string) (func(), error) {
	file, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %v", err)
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		return nil, fmt.Errorf("--cpu-profile: %v", err)
	}
	return func() { pprof.StopCPUProfile(); _ = file.Close() }, nil
}

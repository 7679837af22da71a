package cli

import (
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"temporal-sync/bench/cloud-source/internal/proxy"
)

const proxyUsage = `Usage: cloud-source delay-proxy --target HOST:PORT [--listen HOST:PORT] [--delay DURATION]

A TCP proxy that adds a fixed delay in each direction (a round trip grows by twice the delay), for
putting between a worker and Postgres as a managed database in the same region would be.
  --target HOST:PORT   where connections go (required), e.g. 127.0.0.1:5432
  --listen HOST:PORT   where the proxy listens (default 127.0.0.1:0: a free loopback port)
  --delay DURATION     added to each direction (default 2ms)
Prints one ready line with the address; stops on SIGINT or SIGTERM.
`

func DelayProxy(args []string, stdout, _ io.Writer) error {
	fs := newFlagSet("delay-proxy")
	target := fs.String("target", "", "")
	listen := fs.String("listen", "127.0.0.1:0", "")
	delay := fs.Duration("delay", 2*time.Millisecond, "")
	if help, err := parseFlags(fs, args, proxyUsage, stdout); help || err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(*target); err != nil || strings.TrimSpace(*target) == "" {
		return badInput("--target: %q is not HOST:PORT (see --help)", *target)
	}
	if *delay < 0 {
		return badInput("--delay must be >= 0")
	}
	p, err := proxy.Listen(*listen, *target, *delay)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v (change --listen)", *listen, err)
	}
	fmt.Fprintf(stdout, "delay-proxy ready: listen %s -> %s, %s each way\n", p.Addr(), *target, *delay)
	go func() { _ = p.Serve() }()
	waitForSignal()
	return p.Close()
}

// Package proxy is a TCP proxy that delays every byte by a fixed time in each direction, as a
// network hop to a managed database in the same region would. Data is pipelined, not held back
// chunk by chunk: throughput stays that of the link, only the latency grows.
package proxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards connections from a listener to target.
type Proxy struct {
	listener    net.Listener
	target      string
	delay       time.Duration
	connections atomic.Int64
	wg          sync.WaitGroup
}

func Listen(address, target string, delay time.Duration) (*Proxy, error) {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	return &Proxy{listener: listener, target: target, delay: delay}, nil
}

func (p *Proxy) Addr() net.Addr { return p.listener.Addr() }

// Connections is how many client connections the proxy has accepted.
func (p *Proxy) Connections() int64 { return p.connections.Load() }

// Serve accepts until the listener closes.
func (p *Proxy) Serve() error {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			p.wg.Wait()
			return err
		}
		p.connections.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.forward(client)
		}()
	}
}

func (p *Proxy) Close() error { return p.listener.Close() }

func (p *Proxy) forward(client net.Conn) {
	defer client.Close()
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer upstream.Close()
	done := make(chan struct{}, 2)
	go func() { delayedCopy(upstream, client, p.delay); done <- struct{}{} }()
	go func() { delayedCopy(client, upstream, p.delay); done <- struct{}{} }()
	<-done
	// One direction ended and its end was passed on (half-close); give the other a moment to finish.
	deadline := time.Now().Add(5*time.Second + p.delay)
	_ = client.SetDeadline(deadline)
	_ = upstream.SetDeadline(deadline)
	<-done
}

type chunk struct {
	data []byte
	due  time.Time
}

// delayedCopy reads from src as fast as it comes and writes each chunk to dst once it is `delay` old.
func delayedCopy(dst, src net.Conn, delay time.Duration) {
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 64*1024)
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{data: buf[:n], due: time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	failed := false
	for c := range chunks {
		if failed {
			continue // drain, so the reader never blocks on a full channel
		}
		if wait := time.Until(c.due); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(c.data); err != nil {
			failed = true
			_ = src.Close()
		}
	}
	if tcp, ok := dst.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
	}
}

// Package listbench measures how fast the source serves listings: concurrent listers page
// through disjoint StartTime ranges and count rows without decoding them (a raw codec and a scan
// of the response's top-level fields), so the lister's own CPU stays small next to the server's.
package listbench

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

const listMethod = "/temporal.api.workflowservice.v1.WorkflowService/ListWorkflowExecutions"

// rawCodec marshals requests as protobuf and hands responses back as bytes.
type rawCodec struct{}

type rawResponse struct{ data []byte }

func (rawCodec) Marshal(v any) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }
func (rawCodec) Unmarshal(data []byte, v any) error {
	v.(*rawResponse).data = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// scanPage counts field 1 (executions) and returns field 2 (next_page_token) of a ListWorkflowExecutionsResponse.
func scanPage(b []byte) (rows int, token []byte, err error) {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, nil, protowire.ParseError(n)
		}
		b = b[n:]
		if typ != protowire.BytesType {
			return 0, nil, fmt.Errorf("unexpected wire type %d", typ)
		}
		value, m := protowire.ConsumeBytes(b)
		if m < 0 {
			return 0, nil, protowire.ParseError(m)
		}
		b = b[m:]
		switch num {
		case 1:
			rows++
		case 2:
			token = value
		}
	}
	return rows, token, nil
}

// Result of one run.
type Result struct {
	Listers    int     `json:"listers"`
	Rows       int     `json:"rows"`
	Pages      int     `json:"pages"`
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	RowsPerSec float64 `json:"rowsPerSecond"`
	// CPU the lister itself used (user + system), to tell apart from the server's.
	CPUSeconds float64 `json:"cpuSeconds"`
}

func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
}

func listOne(ctx context.Context, conn *grpc.ClientConn, namespace, query string, pageSize int32) (rows, pages int, bytes int64, err error) {
	var token []byte
	for {
		req := &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, PageSize: pageSize, Query: query, NextPageToken: token}
		var raw rawResponse
		if err = conn.Invoke(ctx, listMethod, req, &raw, grpc.ForceCodec(rawCodec{})); err != nil {
			return rows, pages, bytes, err
		}
		n, next, err := scanPage(raw.data)
		if err != nil {
			return rows, pages, bytes, err
		}
		rows, pages, bytes = rows+n, pages+1, bytes+int64(len(raw.data))
		if len(next) == 0 {
			return rows, pages, bytes, nil
		}
		token = next
	}
}

// Run lists the queries concurrently, one lister each.
func Run(address, namespace string, queries []string, pageSize int32) (Result, error) {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	started, cpuBefore := time.Now(), cpuSeconds()
	var mu sync.Mutex
	var wg sync.WaitGroup
	result := Result{Listers: len(queries)}
	var firstErr error
	for _, q := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows, pages, bytes, err := listOne(context.Background(), conn, namespace, q, pageSize)
			mu.Lock()
			defer mu.Unlock()
			result.Rows, result.Pages, result.Bytes = result.Rows+rows, result.Pages+pages, result.Bytes+bytes
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	result.Seconds = time.Since(started).Seconds()
	result.RowsPerSec = float64(result.Rows) / result.Seconds
	result.CPUSeconds = cpuSeconds() - cpuBefore
	return result, firstErr
}

package service

import (
	"context"
	"errors"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"temporal-sync/bench/cloud-source/internal/stats"
)

type namespaced interface{ GetNamespace() string }

type queried interface{ GetQuery() string }

// Budget is the gRPC interceptor that makes the source behave like a managed namespace: every
// call is counted and takes the configured latency; visibility calls over the namespace's rate
// answer RESOURCE_EXHAUSTED (cause RPS_LIMIT, scope namespace) as Temporal Cloud's frontend does.
func Budget(recorder *stats.Recorder) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		method := info.FullMethod[strings.LastIndexByte(info.FullMethod, '/')+1:]
		namespace := ""
		if n, ok := req.(namespaced); ok {
			namespace = n.GetNamespace()
		}
		label := ""
		if q, ok := req.(queried); ok {
			label = q.GetQuery()
		}
		admitted := recorder.Arrive(method, namespace, label)
		if err := sleep(ctx, recorder.Config().Latency); err != nil {
			return nil, err
		}
		if !admitted {
			limited := &serviceerror.ResourceExhausted{
				Cause:   enumspb.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
				Scope:   enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
				Message: "namespace rate limit exceeded",
			}
			return nil, limited.Status().Err()
		}
		response, err := handler(ctx, req)
		return response, toStatus(err)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// toStatus gives Temporal's service errors their gRPC status with details, as the server sends them.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var se interface{ Status() *status.Status }
	if errors.As(err, &se) {
		return se.Status().Err()
	}
	return status.Error(codes.Internal, err.Error())
}

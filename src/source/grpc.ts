import { status } from '@grpc/grpc-js';
import { isGrpcServiceError, ServiceError } from '@temporalio/client';

export { status as GrpcStatus };

/** The gRPC status code of an error from a Temporal call, through the SDK's ServiceError wrapper; undefined if none. */
export function grpcCode(error: unknown): status | undefined {
  const inner = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(inner) ? inner.code : undefined;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import protobuf from 'protobufjs';
import {
  dedupeByKey,
  executionToRow,
  mapExecutionPage,
  statusName,
  UnmappableExecutionError,
  workflowRowKey,
} from '../../src/source/executions';

const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
const json = (value: unknown) => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
const ts = (seconds: number, nanos = 0) => ({ seconds: seconds as never, nanos });

function closedExecution(): temporal.api.workflow.v1.IWorkflowExecutionInfo {
  return temporal.api.workflow.v1.WorkflowExecutionInfo.create({
    execution: { workflowId: 'order "42" ü', runId: 'run-1' },
    type: { name: 'OrderWorkflow' },
    startTime: ts(1_700_000_000, 123_456_789),
    executionTime: ts(1_700_000_000, 123_456_789),
    closeTime: ts(1_700_000_065, 500_000_000),
    status: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
    taskQueue: 'orders',
    historyLength: 11 as never,
    historySizeBytes: 2048 as never,
    stateTransitionCount: 7 as never,
    parentExecution: { workflowId: 'parent', runId: 'parent-run' },
    rootExecution: { workflowId: 'root', runId: 'root-run' },
    memo: { fields: { owner: json('team-a'), nested: json({ a: [1, 2] }) } },
    searchAttributes: { indexedFields: { CustomKeyword: json('kw'), CustomInt: json(5) } },
  });
}

describe('mapping an execution to a workflow row', () => {
  it('keeps every column the source reports, timestamps to the microsecond', () => {
    const row = executionToRow('ns', closedExecution(), new Date('2026-01-02T03:04:05.678Z'));
    assert.deepEqual(row, {
      namespace: 'ns',
      workflow_id: 'order "42" ü',
      run_id: 'run-1',
      workflow_type: 'OrderWorkflow',
      start_time: '2023-11-14T22:13:20.123456Z',
      execution_time: '2023-11-14T22:13:20.123456Z',
      close_time: '2023-11-14T22:14:25.500000Z',
      status: 'COMPLETED',
      task_queue: 'orders',
      execution_time_seconds: 65.376544,
      history_length: 11,
      history_size_bytes: 2048,
      state_transition_count: 7,
      parent_workflow_id: 'parent',
      parent_run_id: 'parent-run',
      root_workflow_id: 'root',
      root_run_id: 'root-run',
      memo: { owner: 'team-a', nested: { a: [1, 2] } },
      search_attributes: { CustomKeyword: 'kw', CustomInt: 5 },
      first_run_id: null,
      execution_duration_seconds: null,
      worker_deployment_name: null,
      worker_deployment_build_id: null,
      versioning_behavior: null,
      priority_key: null,
      fairness_key: null,
      fairness_weight: null,
      external_payload_size_bytes: null,
      external_payload_count: null,
      read_at: '2026-01-02T03:04:05.678Z',
    });
  });

  it('keeps the newer fields a recent server sends: first run, duration, deployment, priority, external payloads', () => {
    const info = closedExecution();
    Object.assign(info, {
      firstRunId: 'run-0',
      executionDuration: { seconds: 65 as never, nanos: 250_000_000 },
      workerDeploymentName: 'orders-service',
      versioningInfo: {
        behavior: temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
        deploymentVersion: { deploymentName: 'orders-service', buildId: 'b-42' },
      },
      priority: { priorityKey: 2, fairnessKey: 'tenant-a', fairnessWeight: 2.5 },
      externalPayloadSizeBytes: 10_485_760 as never,
      externalPayloadCount: 3 as never,
    });
    const row = executionToRow('ns', info);
    assert.deepEqual(
      {
        first_run_id: row.first_run_id,
        execution_duration_seconds: row.execution_duration_seconds,
        worker_deployment_name: row.worker_deployment_name,
        worker_deployment_build_id: row.worker_deployment_build_id,
        versioning_behavior: row.versioning_behavior,
        priority_key: row.priority_key,
        fairness_key: row.fairness_key,
        fairness_weight: row.fairness_weight,
        external_payload_size_bytes: row.external_payload_size_bytes,
        external_payload_count: row.external_payload_count,
      },
      {
        first_run_id: 'run-0',
        execution_duration_seconds: 65.25,
        worker_deployment_name: 'orders-service',
        worker_deployment_build_id: 'b-42',
        versioning_behavior: 'PINNED',
        priority_key: 2,
        fairness_key: 'tenant-a',
        fairness_weight: 2.5,
        external_payload_size_bytes: 10_485_760,
        external_payload_count: 3,
      },
    );
    // A running run has no duration yet (visibility writes it at close).
    info.closeTime = null;
    assert.equal(executionToRow('ns', info).execution_duration_seconds, null);
  });

  it('names PAUSED, and any status newer than this build knows, from the bytes a server sends, never failing', () => {
    // WorkflowExecutionInfo written field by field: execution (1) { workflow_id (1), run_id (2) }, status (5).
    const bytesWithStatus = (status: number) => {
      const execution = temporal.api.common.v1.WorkflowExecution.encode({ workflowId: 'w', runId: 'r' }).finish();
      return protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .bytes(execution)
        .uint32((5 << 3) | 0)
        .int32(status)
        .finish();
    };
    const statusOf = (status: number) =>
      executionToRow('ns', temporal.api.workflow.v1.WorkflowExecutionInfo.decode(bytesWithStatus(status))).status;
    assert.equal(statusOf(8), 'PAUSED');
    assert.equal(statusOf(2), 'COMPLETED');
    assert.equal(statusOf(42), 'UNKNOWN_42');
    assert.equal(statusOf(42), statusOf(42), 'the same name every time');
  });

  it('stores the counters of a running run as unknown, not as the 0 visibility reports', () => {
    const info = closedExecution();
    info.closeTime = null;
    info.status = Status.WORKFLOW_EXECUTION_STATUS_RUNNING;
    info.historyLength = 0 as never;
    const row = executionToRow('ns', info);
    assert.equal(row.status, 'RUNNING');
    assert.equal(row.close_time, null);
    assert.equal(row.execution_time_seconds, null);
    assert.equal(row.history_length, null);
    assert.equal(row.state_transition_count, null);
  });

  it('names statuses as the seed connector did', () => {
    assert.equal(statusName(Status.WORKFLOW_EXECUTION_STATUS_CANCELED), 'CANCELED');
    assert.equal(statusName(Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW), 'CONTINUED_AS_NEW');
    assert.equal(statusName(Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT), 'TIMED_OUT');
    assert.equal(statusName(99 as never), 'UNKNOWN_99');
  });

  it('keeps a payload it cannot decode in raw form with its encoding, instead of dropping the row', () => {
    const info = closedExecution();
    info.memo = {
      fields: {
        secret: {
          metadata: { encoding: new TextEncoder().encode('binary/encrypted') },
          data: new Uint8Array([1, 2, 3]),
        },
      },
    };
    assert.deepEqual(executionToRow('ns', info).memo, { secret: { _encoding: 'binary/encrypted', _base64: 'AQID' } });
  });

  it('refuses an execution without a key, by a named error', () => {
    const info = closedExecution();
    info.execution = { workflowId: 'x' };
    assert.throws(() => executionToRow('ns', info), UnmappableExecutionError);
  });

  it('keeps the last of two views of the same run in one page', () => {
    const first = executionToRow('ns', closedExecution());
    const second = { ...first, status: 'FAILED' };
    const other = { ...first, run_id: 'run-2' };
    assert.deepEqual(dedupeByKey([first, other, second], workflowRowKey), [other, second]);
  });

  it('reports a record that cannot be mapped with its IDs, and keeps the rest of the page', () => {
    const broken = closedExecution();
    broken.execution = { workflowId: 'no run id here' };
    const other = closedExecution();
    other.execution = { workflowId: 'b', runId: 'r2' };
    const page = mapExecutionPage('ns', [closedExecution(), broken, other], new Date(0));
    assert.deepEqual(
      page.rows.map((row) => row.workflow_id),
      ['order "42" ü', 'b'],
    );
    assert.deepEqual(page.rejected, [
      { id: '["no run id here",null]', reason: 'execution cannot be mapped: missing workflow ID or run ID' },
    ]);
  });
});

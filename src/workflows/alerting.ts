import { log, ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
import type { AlertDecision } from '../alerts/types';
import { AlertWorkflow } from './alert-workflow';

/**
 * Starts one AlertWorkflow per message that is due, abandoned by this workflow: delivery has its own
 * retries and may take hours while the webhook is down, and must never hold up or fail the caller.
 * The child's ID is fixed per incident and event, so a retried decision cannot send twice.
 */
export async function startAlerts(decision: AlertDecision): Promise<number> {
  let started = 0;
  for (const alert of decision.alerts) {
    try {
      await startChild(AlertWorkflow, {
        workflowId: alert.workflowId,
        args: [alert.message],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      started += 1;
    } catch (error) {
      log.warn('alert not started (already sent for this incident?)', {
        alertWorkflowId: alert.workflowId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return started;
}

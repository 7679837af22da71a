/** Links into the Temporal Web UI: the same paths on Temporal Cloud and a self-hosted UI. */
const namespacePage = (base: string, namespace: string) =>
  `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}`;

/** The namespace's list of workflow executions. */
export const workflowsLink = (base: string, namespace: string) => `${namespacePage(base, namespace)}/workflows`;

/** A workflow's page: its latest run, or with `runId` that run's history. */
export function workflowLink(base: string, namespace: string, workflowId: string, runId?: string): string {
  const workflow = `${workflowsLink(base, namespace)}/${encodeURIComponent(workflowId)}`;
  return runId === undefined ? workflow : `${workflow}/${encodeURIComponent(runId)}/history`;
}

export const scheduleLink = (base: string, namespace: string, scheduleId: string) =>
  `${namespacePage(base, namespace)}/schedules/${encodeURIComponent(scheduleId)}`;

import type { RegisteredStream } from './define';
import { scheduleFiresStream } from './schedule-fires';
import { schedulesStream } from './schedules';
import { stuckWorkflowsStream } from './stuck-workflows';
import { workflowsStream } from './workflows';

/** Every stream a sync can run, in the order status and summaries show them. A new stream is one line here. */
export const STREAMS: readonly RegisteredStream[] = [
  workflowsStream,
  schedulesStream,
  scheduleFiresStream,
  stuckWorkflowsStream,
];

export const STREAM_NAMES: readonly string[] = STREAMS.map((stream) => stream.name);

export function streamNamed(name: string): RegisteredStream | undefined {
  return STREAMS.find((stream) => stream.name === name);
}

/** Orders stream names as the registry does; names it does not know (an older connector's) come last. */
export function byRegistryOrder(a: string, b: string): number {
  const rank = (name: string) => {
    const index = STREAM_NAMES.indexOf(name);
    return index === -1 ? STREAM_NAMES.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/*
 * The deployment files as far as the checks read them. Parsed files are cast to these without a
 * schema, because the checks are the validation: a field a check reads without `?` that a file
 * lacks fails that check (a TypeError), and every value a check relies on is asserted by it.
 */

export type Labels = Record<string, string>;

/** docker-compose.yml. */
export interface ComposeService {
  image: string;
  build?: unknown;
  command?: string[];
  environment: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: unknown;
  stop_grace_period?: string;
  restart?: string;
  profiles?: string[];
  volumes?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** deploy/fly.toml. */
export interface FlyToml {
  env: Record<string, string>;
  processes: Record<string, string>;
  http_service?: unknown;
  services?: unknown;
  kill_signal?: string;
  kill_timeout?: number;
  metrics: { port: number; path: string };
  checks: Record<string, { port: number; path: string }>;
}

/** Kubernetes objects and kustomizations under deploy/kubernetes. */
export interface Kustomization {
  kind?: string;
  resources: string[];
  components?: string[];
  images?: Array<{ name: string; newTag?: string }>;
}

export interface KubeObject {
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Labels };
}

interface Probe {
  httpGet: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports: Array<{ name?: string; containerPort: number }>;
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  securityContext: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities: { drop?: string[] };
  };
  volumeMounts: Array<{ name: string; mountPath: string }>;
  resources: { requests: { cpu?: string; memory?: string }; limits: { memory?: string } };
}

export interface TopologySpreadConstraint {
  topologyKey: string;
  maxSkew: number;
  whenUnsatisfiable: string;
  nodeTaintsPolicy?: string;
  labelSelector: { matchLabels: Labels };
  matchLabelKeys?: string[];
}

export interface PodSpec {
  containers: Container[];
  securityContext: { runAsNonRoot?: boolean; runAsUser: number };
  volumes: Array<{ name: string; emptyDir?: unknown }>;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata: { labels: Labels };
  spec: PodSpec;
}

export interface Deployment extends KubeObject {
  spec: { replicas: number; selector: { matchLabels: Labels }; template: PodTemplate };
}

export interface Job extends KubeObject {
  spec: { template: PodTemplate };
}

export interface Service extends KubeObject {
  metadata: KubeObject['metadata'] & { annotations: Labels };
  spec: { type: string; selector: Labels; ports: Array<{ targetPort: string | number }> };
}

export interface PodDisruptionBudget extends KubeObject {
  spec: { minAvailable: number; unhealthyPodEvictionPolicy?: string; selector: { matchLabels: Labels } };
}

export interface ConfigMap extends KubeObject {
  data: Record<string, string>;
}

export interface Secret extends KubeObject {
  stringData: Record<string, string>;
}
